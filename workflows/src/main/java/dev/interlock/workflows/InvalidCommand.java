package dev.interlock.workflows;

/** Thrown by the update validators for a command the workflow cannot accept. See {@link NotPending}. */
public final class InvalidCommand extends RuntimeException {
  public InvalidCommand(String message) {
    super(message);
  }
}
