package dev.interlock.server.api.agentgate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.WebhookService;
import dev.interlock.store.AuditEntryRow;
import dev.interlock.store.CountRow;
import dev.interlock.store.InterruptEventRow;
import dev.interlock.store.InterruptRow;
import dev.interlock.store.PolicyRow;
import dev.interlock.store.WebhookAttemptRow;
import dev.interlock.store.WebhookRow;
import dev.interlock.worker.AgentGateRequests;
import dev.interlock.worker.IsoTimes;
import dev.interlock.worker.policy.PolicyMatch;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Renders the core in AgentGate's words: requests, audit, policies, webhooks. */
public final class AgentGateViews {

  private final ObjectMapper json;
  private final Clock clock;

  public AgentGateViews(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  public ObjectNode request(InterruptRow row) {
    return AgentGateRequests.render(json, row);
  }

  public ArrayNode requests(List<InterruptRow> rows) {
    ArrayNode a = json.createArrayNode();
    rows.forEach(r -> a.add(request(r)));
    return a;
  }

  public ObjectNode decided(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("id", row.id());
    n.put("status", AgentGateRequests.status(row.status()));
    n.put("decidedBy", row.decidedBy());
    n.put("decidedAt", IsoTimes.format(row.decidedAt()));
    return n;
  }

  /** The audit trail, oldest first; the core's "rejected" reads "denied" here too. */
  public ArrayNode audit(List<InterruptEventRow> events) {
    ArrayNode a = json.createArrayNode();
    for (InterruptEventRow e : events) {
      ObjectNode n = a.addObject();
      n.put("timestamp", IsoTimes.format(e.at()));
      n.put("event", "rejected".equals(e.event()) ? "denied" : e.event());
      n.put("actor", e.actor());
      n.set("details", e.details());
    }
    return a;
  }

  /**
   * The owner-wide audit log: each entry as in a request's audit trail, with the request it
   * belongs to ({@code requestId}, its {@code action} and current {@code requestStatus}).
   */
  public ArrayNode auditLog(List<AuditEntryRow> entries) {
    ArrayNode a = json.createArrayNode();
    for (AuditEntryRow e : entries) {
      ObjectNode n = a.addObject();
      n.put("id", e.id());
      n.put("requestId", e.interruptId());
      n.put("action", e.action());
      n.put("requestStatus", AgentGateRequests.status(e.status()));
      n.put("timestamp", IsoTimes.format(e.at()));
      n.put("event", "rejected".equals(e.event()) ? "denied" : e.event());
      n.put("actor", e.actor());
      n.set("details", e.details());
    }
    return a;
  }

  public ObjectNode queueStats(InterruptService.QueueStats stats) {
    ObjectNode n = json.createObjectNode();
    n.put("total_pending", stats.totalPending());
    ObjectNode by = n.putObject("by_urgency");
    for (String u : List.of("low", "normal", "high", "critical")) {
      by.put(u, stats.byUrgency().stream().filter(c -> c.label().equals(u))
          .mapToLong(CountRow::count).sum());
    }
    if (stats.oldestPending() == null) {
      n.putNull("oldest_pending_age_ms");
    } else {
      n.put("oldest_pending_age_ms",
          Math.max(0, Duration.between(stats.oldestPending(), clock.instant()).toMillis()));
    }
    return n;
  }

  public ObjectNode policy(PolicyRow p) {
    ObjectNode n = json.createObjectNode();
    n.put("id", p.id());
    n.put("name", p.name());
    n.put("priority", p.priority());
    n.put("enabled", p.enabled());
    n.set("rules", p.rules());
    n.put("version", p.version());
    n.put("createdAt", IsoTimes.format(p.createdAt()));
    n.put("updatedAt", IsoTimes.format(p.updatedAt()));
    return n;
  }

  /** What deleting answers where a body is wanted (REST answers 204 without one). */
  public ObjectNode deleted(String id) {
    ObjectNode n = json.createObjectNode();
    n.put("id", id);
    n.put("deleted", true);
    return n;
  }

  public ArrayNode policies(List<PolicyRow> rows) {
    ArrayNode a = json.createArrayNode();
    rows.forEach(p -> a.add(policy(p)));
    return a;
  }

  public ObjectNode simulation(PolicyMatch match) {
    ObjectNode n = json.createObjectNode();
    n.put("decision", match.decision().wire());
    if (match.matched()) {
      n.putObject("policy").put("id", match.policyId()).put("name", match.policyName())
          .put("version", match.policyVersion());
      n.put("ruleIndex", match.ruleIndex());
    } else {
      n.putNull("policy");
    }
    return n;
  }

  public ObjectNode webhook(WebhookRow w) {
    ObjectNode n = json.createObjectNode();
    n.put("id", w.id());
    n.put("url", w.url());
    ArrayNode events = n.putArray("events");
    w.events().forEach(events::add);
    n.put("createdAt", IsoTimes.format(w.createdAt()));
    return n;
  }

  public ObjectNode createdWebhook(WebhookService.CreatedWebhook created) {
    ObjectNode n = webhook(created.webhook());
    n.put("secret", created.secret());
    return n;
  }

  public ArrayNode webhooks(List<WebhookRow> rows) {
    ArrayNode a = json.createArrayNode();
    rows.forEach(w -> a.add(webhook(w)));
    return a;
  }

  public ObjectNode delivery(WebhookService.Delivery d) {
    var row = d.delivery();
    ObjectNode n = json.createObjectNode();
    n.put("id", row.id());
    n.put("webhookId", row.webhookId());
    n.put("event", row.event());
    n.put("requestId", row.interruptId());
    n.put("status", row.state());
    n.put("attempts", row.attempts());
    if (row.lastStatus() == null) {
      n.putNull("lastStatus");
    } else {
      n.put("lastStatus", row.lastStatus());
    }
    n.put("lastError", row.lastError());
    n.put("replayOf", row.replayOf());
    n.put("createdAt", IsoTimes.format(row.createdAt()));
    n.put("deliveredAt", IsoTimes.format(row.deliveredAt()));
    ArrayNode log = n.putArray("attemptLog");
    for (WebhookAttemptRow a : d.attempts()) {
      ObjectNode e = log.addObject();
      e.put("attempt", a.attempt());
      e.put("timestamp", IsoTimes.format(a.at()));
      e.put("outcome", a.outcome());
      if (a.httpStatus() == null) {
        e.putNull("httpStatus");
      } else {
        e.put("httpStatus", a.httpStatus());
      }
      e.put("error", a.error());
      e.put("durationMs", a.durationMs());
    }
    return n;
  }

  public ArrayNode deliveries(List<WebhookService.Delivery> rows) {
    ArrayNode a = json.createArrayNode();
    rows.forEach(d -> a.add(delivery(d)));
    return a;
  }
}
