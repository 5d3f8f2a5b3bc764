package dev.interlock.server.errors;

/**
 * A refusal with its own machine-readable code, for rules whose code a dialect's spec
 * names (loopat's {@code loop_not_found}, {@code loop_archived}, ...).
 */
public final class Refusal extends InterlockException {

  private final int status;
  private final String code;

  public Refusal(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String code() {
    return code;
  }
}
