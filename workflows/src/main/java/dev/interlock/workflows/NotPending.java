package dev.interlock.workflows;

/**
 * Thrown by the update validators when the interrupt has left pending; the message says
 * its status ("Interrupt is already approved").
 *
 * <p>A plain exception on purpose: an {@code ApplicationFailure} thrown from a validator
 * reaches the client re-wrapped as {@code WorkflowExecutionException} with its type lost
 * (SDK 1.38), whereas any other exception arrives as an {@code ApplicationFailure} whose
 * type is the exception's class name.
 */
public final class NotPending extends RuntimeException {
  public NotPending(String message) {
    super(message);
  }
}
