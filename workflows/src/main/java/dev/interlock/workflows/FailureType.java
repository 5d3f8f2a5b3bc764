package dev.interlock.workflows;

/** Types of {@code ApplicationFailure} that workflows and activities raise on purpose. */
public enum FailureType {
  /** A decision or cancel arrived for an interrupt that is no longer pending. */
  NOT_PENDING,
  /** A command the workflow cannot accept (unknown decision, missing fields). */
  INVALID_COMMAND,
  /** A callback target that may never be called (SSRF guard, bad URL). */
  CALLBACK_FORBIDDEN,
  /** The interrupt the activity was asked about does not exist in the store. */
  UNKNOWN_INTERRUPT
}
