package dev.interlock.workflows;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where an interrupt stands, as the workflow knows it. Times are epoch milliseconds taken
 * from the workflow clock, so they replay deterministically.
 *
 * @param decidedAtMillis when the interrupt left {@code PENDING}; 0 while pending
 * @param actor who caused the last transition ("key:&lt;id&gt;", "system:expiry", ...)
 */
public record InterruptState(
    InterruptStatus status,
    Decision decision,
    String reason,
    JsonNode modifiedParams,
    String actor,
    long decidedAtMillis) {

  public static InterruptState pending() {
    return new InterruptState(InterruptStatus.PENDING, null, null, null, null, 0L);
  }

  @JsonIgnore
  public boolean isPending() {
    return status.isPending();
  }
}
