package dev.interlock.server.errors;

/**
 * A domain failure with a message that is safe to show the caller. Mapped to HTTP status
 * and to each dialect's error shape in one place ({@link DialectErrors}).
 */
public abstract class InterlockException extends RuntimeException {

  protected InterlockException(String message) {
    super(message);
  }

  public abstract int status();

  /** Machine-readable code for dialects that carry one. */
  public abstract String code();
}
