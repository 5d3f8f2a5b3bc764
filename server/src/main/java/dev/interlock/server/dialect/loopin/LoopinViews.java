package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Urgency;
import dev.interlock.model.CountRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.wire.WhatIsAsked;
import java.util.List;

/** Renders core interrupts in LoopIn's words and shapes. */
public final class LoopinViews {

  private final ObjectMapper json;
  private final ReviewLinks links;

  public LoopinViews(ObjectMapper json, ReviewLinks links) {
    this.json = json;
    this.links = links;
  }

  /** {@code <base>/review/<id>?token=...}: a signed link that works without an API key. */
  public String reviewUrl(InterruptRow row) {
    return links.url(row);
  }

  /** LoopIn has three urgencies: NORMAL is "medium", CRITICAL shows as "high". */
  public static String urgency(String stored) {
    return switch (Urgency.fromStored(stored)) {
      case LOW -> "low";
      case NORMAL -> "medium";
      case HIGH, CRITICAL -> "high";
    };
  }

  public ObjectNode created(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("interruptId", row.id());
    n.put("status", row.status());
    n.put("expiresAt", IsoTimes.format(row.expiresAt()));
    n.put("reviewUrl", reviewUrl(row));
    return n;
  }

  /** The same shape in every state; fields without a value are null. */
  public ObjectNode interrupt(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("interruptId", row.id());
    n.put("status", row.status());
    n.put("agentId", row.agentId());
    n.put("userId", row.userId());
    n.put("action", row.action());
    // An AgentGate request's or a tool call's params, a Loopgate question's options: shown
    // in the context, the one free-form place LoopIn has (WhatIsAsked).
    n.set("context", WhatIsAsked.contextWithParts(row, true));
    n.put("urgency", urgency(row.urgency()));
    n.put("createdAt", IsoTimes.format(row.createdAt()));
    n.put("expiresAt", IsoTimes.format(row.expiresAt()));
    n.put("reviewUrl", reviewUrl(row));
    n.put("decision", row.decision());
    n.put("decidedAt", IsoTimes.format(row.decidedAt()));
    n.put("reason", row.reason());
    n.set("modifiedParams", row.modifiedParams());
    return n;
  }

  public ObjectNode decided(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("interruptId", row.id());
    n.put("status", "resolved");
    n.put("decision", row.decision());
    n.put("decidedAt", IsoTimes.format(row.decidedAt()));
    return n;
  }

  public ObjectNode cancelled(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("interruptId", row.id());
    n.put("status", row.status());
    return n;
  }

  public ArrayNode pending(List<InterruptRow> rows) {
    ArrayNode a = json.createArrayNode();
    for (InterruptRow row : rows) {
      ObjectNode n = a.addObject();
      n.put("interruptId", row.id());
      n.put("agentId", row.agentId());
      n.put("action", row.action());
      n.put("urgency", urgency(row.urgency()));
      n.put("createdAt", IsoTimes.format(row.createdAt()));
      n.put("expiresAt", IsoTimes.format(row.expiresAt()));
      n.put("reviewUrl", reviewUrl(row));
    }
    return a;
  }

  public ArrayNode events(List<InterruptEventRow> events) {
    ArrayNode a = json.createArrayNode();
    for (InterruptEventRow e : events) {
      a.addObject()
          .put("timestamp", IsoTimes.format(e.at()))
          .put("event", e.event())
          .put("actor", e.actor())
          .set("details", e.details());
    }
    return a;
  }

  public ObjectNode analytics(String userId, InterruptService.Analytics a) {
    ObjectNode n = json.createObjectNode();
    n.put("userId", userId);
    n.put("totalInterrupts", a.total());
    long approved = count(a.byStatus(), "approved");
    long rejected = count(a.byStatus(), "rejected");
    if (approved + rejected == 0) {
      n.putNull("approvalRate");
    } else {
      n.put("approvalRate", Math.round(1000.0 * approved / (approved + rejected)) / 1000.0);
    }
    if (a.avgDecisionMillis() == null) {
      n.putNull("avgResponseTimeMs");
    } else {
      n.put("avgResponseTimeMs", Math.round(a.avgDecisionMillis()));
    }
    ObjectNode byStatus = n.putObject("byStatus");
    a.byStatus().forEach(c -> byStatus.put(c.label(), c.count()));
    ObjectNode byUrgency = n.putObject("byUrgency");
    for (CountRow c : a.byUrgency()) {
      String u = urgency(c.label());
      byUrgency.put(u, byUrgency.path(u).asLong(0) + c.count());
    }
    ArrayNode top = n.putArray("topActionTypes");
    a.topActions().forEach(c -> top.addObject().put("action", c.label()).put("count", c.count()));
    return n;
  }

  private static long count(List<CountRow> rows, String label) {
    return rows.stream().filter(r -> r.label().equals(label)).mapToLong(CountRow::count).sum();
  }
}
