package dev.interlock.workflows;

/**
 * Types of {@code ApplicationFailure} that activities raise on purpose. (Update validators
 * reject with {@link NotPending} and {@link InvalidCommand} instead.)
 */
public enum FailureType {
  /** One callback attempt failed (transport error or non-2xx answer); retried with backoff. */
  CALLBACK_FAILED,
  /** A callback target that may never be called (SSRF guard, bad URL). */
  CALLBACK_FORBIDDEN,
  /** The interrupt the activity was asked about does not exist in the store. */
  UNKNOWN_INTERRUPT
}
