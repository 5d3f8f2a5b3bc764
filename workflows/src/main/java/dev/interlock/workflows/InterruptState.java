package dev.interlock.workflows;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where an interrupt stands, as the workflow knows it. Times are epoch milliseconds taken
 * from the workflow clock, so they replay deterministically.
 *
 * @param decidedAtMillis when the interrupt left {@code PENDING}; 0 while pending
 * @param actor who caused the last transition ("key:&lt;id&gt;", "system:expiry", ...)
 * @param commandId the Update id of the decide or cancel that caused the transition, so a
 *     retried HTTP call with the same Idempotency-Key can be recognised; null for expiry
 * @param response the person's free-text answer or chosen option, when there is one
 */
public record InterruptState(
    InterruptStatus status,
    Decision decision,
    String reason,
    JsonNode modifiedParams,
    String actor,
    long decidedAtMillis,
    String commandId,
    String response) {

  public InterruptState {
    // Temporal's converter turns a null JsonNode into NullNode; keep "absent" as null.
    modifiedParams = modifiedParams == null || modifiedParams.isNull() ? null : modifiedParams;
  }

  public static InterruptState pending() {
    return new InterruptState(InterruptStatus.PENDING, null, null, null, null, 0L, null, null);
  }

  @JsonIgnore
  public boolean isPending() {
    return status.isPending();
  }
}
