package dev.interlock.workflows;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Where an interrupt stands, as the workflow knows it. Times are epoch milliseconds taken
 * from the workflow clock, so they replay deterministically.
 *
 * @param decidedAtMillis when the interrupt left {@code PENDING}; 0 while pending
 * @param actor who caused the last transition, as a person reads it (a username, a key's
 *     name, "policy:&lt;name&gt;", "system:expiry")
 * @param commandId the Update id of the decide or cancel that caused the transition, so a
 *     retried HTTP call with the same Idempotency-Key can be recognised; null for expiry
 * @param response the person's free-text answer or chosen option, when there is one
 * @param actorId who caused the last transition, stably ("user:&lt;uuid&gt;", "key:&lt;id&gt;",
 *     "policy:&lt;id&gt;", "system:expiry"); null in states recorded before it existed
 * @param approverIds the distinct approvers counted so far (a quorum's progress while
 *     pending; with the last approver once approved); never null
 */
public record InterruptState(
    InterruptStatus status,
    Decision decision,
    String reason,
    JsonNode modifiedParams,
    String actor,
    long decidedAtMillis,
    String commandId,
    String response,
    String actorId,
    List<String> approverIds) {

  public InterruptState {
    // Temporal's converter turns a null JsonNode into NullNode; keep "absent" as null.
    modifiedParams = modifiedParams == null || modifiedParams.isNull() ? null : modifiedParams;
    // States from histories written before quorums have no approvers.
    approverIds = approverIds == null ? List.of() : List.copyOf(approverIds);
  }

  public static InterruptState pending() {
    return pending(List.of());
  }

  /** Pending, with these approvals already counted (a workflow re-created by recovery). */
  public static InterruptState pending(List<String> approverIds) {
    return new InterruptState(InterruptStatus.PENDING, null, null, null, null, 0L, null, null,
        null, approverIds);
  }

  @JsonIgnore
  public boolean isPending() {
    return status.isPending();
  }
}
