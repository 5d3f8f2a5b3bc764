package dev.interlock.server.dialect.agentgate;

import dev.interlock.server.wire.WhatIsAsked;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.wire.WhatIsAsked;
import dev.interlock.model.IsoTimes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import java.time.Instant;

/**
 * An interrupt in AgentGate's words. Lives here (not in the server's views) because webhook
 * payloads, built by the worker when an event is recorded, carry the same shape.
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

  public static ObjectNode render(ObjectMapper json, InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("id", row.id());
    n.put("action", row.action());
    // A request made through another door has no params: AgentGate's clients read an object.
    n.set("params", row.params() == null || !row.params().isObject() ? json.createObjectNode()
        : row.params());
    // A Loopgate question's options, shown where AgentGate has room for them (WhatIsAsked).
    n.set("context", WhatIsAsked.contextWithParts(row, false, true));
    n.put("status", status(row.status()));
    n.put("urgency", row.urgency());
    n.put("decidedBy", row.decidedBy());
    n.put("decisionReason", row.reason());
    n.put("createdAt", IsoTimes.format(row.createdAt()));
    n.put("updatedAt", IsoTimes.format(updatedAt(row)));
    n.put("decidedAt", IsoTimes.format(row.decidedAt()));
    n.put("expiresAt", IsoTimes.format(row.expiresAt()));
    n.put("confirmedAt", IsoTimes.format(row.confirmedAt()));
    if (row.confirmResult() != null) {
      n.set("executionResult", row.confirmResult());
    }
    return n;
  }
}
