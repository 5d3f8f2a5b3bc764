package dev.interlock.server.dialect.agentgate;

import dev.interlock.model.InterruptRow;
import java.time.Instant;

/**
 * An interrupt's status and times in AgentGate's words, for every view that shows them (the
 * request itself is {@link AgentGateViews.RequestView}).
 */
public final class AgentGateRequests {

  private AgentGateRequests() {}

  /** AgentGate says "denied" where the core says "rejected". */
  public static String status(String coreStatus) {
    return "rejected".equals(coreStatus) ? "denied" : coreStatus;
  }

  public static String decision(String coreDecision) {
    return coreDecision == null ? null : status(coreDecision);
  }

  /**
   * When the request last changed, as AgentGate's {@code updatedAt} says: every change of an
   * interrupt stamps a time of its own (created, decided or expired or cancelled, confirmed),
   * so the latest of those is the last change, with no column to keep in step.
   */
  public static Instant updatedAt(InterruptRow row) {
    Instant latest = row.createdAt();
    for (Instant t : new Instant[] {row.decidedAt(), row.confirmedAt()}) {
      if (t != null && (latest == null || t.isAfter(latest))) {
        latest = t;
      }
    }
    return latest;
  }
}
