package dev.interlock.server.dialect.agentgate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.WebhookService;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.AuditEntryRow;
import dev.interlock.model.CountRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.PolicyRow;
import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.model.WebhookRow;
import dev.interlock.server.dialect.agentgate.AgentGateRequests;
import dev.interlock.model.IsoTimes;
import dev.interlock.worker.policy.PolicyMatch;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Renders the core in AgentGate's words: requests, audit, policies, webhooks, keys. Lists
 * are the envelopes AgentGate's own server sends and its SDK reads ({@code {requests,
 * pagination}}, {@code {policies, pagination}}, {@code {webhooks}}, {@code {keys}},
 * {@code {entries, pagination}}, {@code {actors}}); each shape is a record made in one place
 * here.
 */
public final class AgentGateViews {

  /** Offset pagination as AgentGate's server reports it beside every paged list. */
  public record Pagination(long total, int limit, int offset, boolean hasMore) {
    static Pagination of(Page<?> page) {
      return new Pagination(page.total(), page.limit(), page.offset(), page.hasMore());
    }
  }

  /** {@code GET /api/requests}: the requests (each as {@link #request}) and the page. */
  public record RequestList(List<ObjectNode> requests, Pagination pagination) {}

  /** {@code GET /api/policies}: the policies (each as {@link #policy}) and the page. */
  public record PolicyList(List<ObjectNode> policies, Pagination pagination) {}

  /** A webhook without its secret; {@code enabled} is the owner's on/off switch. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record WebhookView(String id, String url, List<String> events, boolean enabled,
      String createdAt) {
    static WebhookView of(WebhookRow w) {
      return new WebhookView(w.id(), w.url(), w.events(), w.enabled(),
          IsoTimes.format(w.createdAt()));
    }
  }

  /** The create answer: the only time the secret is shown. */
  public record CreatedWebhookView(String id, String url, List<String> events, boolean enabled,
      String createdAt, String secret, String message) {}

  /** {@code GET /api/webhooks}. */
  public record WebhookList(List<WebhookView> webhooks) {}

  /** {@code PATCH /api/webhooks/{id}}: AgentGate's {@code {success}}, and the webhook now. */
  public record WebhookUpdated(boolean success, WebhookView webhook) {}

  /** {@code POST /api/webhooks/{id}/test}; {@code status} is left out when nothing answered. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WebhookTestResult(boolean success, Integer status, String message) {}

  /** The request an audit entry belongs to, as it is now. */
  public record AuditRequest(String id, String action, String status, String urgency) {}

  /** One event of the owner-wide audit log ({@code GET /api/audit}). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record AuditEntry(String id, String requestId, String eventType, String actor,
      JsonNode details, String createdAt, AuditRequest request) {
    static AuditEntry of(AuditEntryRow e) {
      return new AuditEntry(Long.toString(e.id()), e.interruptId(), word(e.event()), e.actor(),
          e.details(), IsoTimes.format(e.at()), new AuditRequest(e.interruptId(), e.action(),
              AgentGateRequests.status(e.status()), e.urgency()));
    }
  }

  /** {@code GET /api/audit}: newest first. */
  public record AuditPage(List<AuditEntry> entries, Pagination pagination) {}

  /** {@code GET /api/audit/actors}. */
  public record AuditActors(List<String> actors) {}

  /** An API key without the key itself. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record KeyView(String id, String name, List<String> scopes, Integer rateLimit,
      String prefix, boolean active, String createdAt, String lastUsedAt, String revokedAt) {
    public static KeyView of(ApiKeyRow k, boolean active) {
      return new KeyView(k.id(), k.name(), k.scopes(), k.rateLimit(), k.keyPrefix(), active,
          IsoTimes.format(k.createdAt()), IsoTimes.format(k.lastUsedAt()),
          IsoTimes.format(k.revokedAt()));
    }
  }

  /** The create answer: the only time the key is shown. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record CreatedKeyView(String id, String key, String name, List<String> scopes,
      Integer rateLimit, String prefix, boolean active, String createdAt, String message) {
    public static CreatedKeyView of(KeyView k, String key) {
      return new CreatedKeyView(k.id(), key, k.name(), k.scopes(), k.rateLimit(), k.prefix(),
          k.active(), k.createdAt(), "Save this key - it will not be shown again");
    }
  }

  /** {@code GET /api/keys} and {@code GET /api/api-keys}. */
  public record KeyList(List<KeyView> keys) {}

  /** The core's "rejected" reads "denied" in AgentGate's words. */
  static String word(String event) {
    return "rejected".equals(event) ? "denied" : event;
  }

  private final ObjectMapper json;
  private final Clock clock;

  public AgentGateViews(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** A view as a JSON tree, exactly as Jersey would render it (for the MCP tools). */
  public JsonNode tree(Object view) {
    return json.valueToTree(view);
  }

  public ObjectNode request(InterruptRow row) {
    return AgentGateRequests.render(json, row);
  }

  public RequestList requests(Page<InterruptRow> page) {
    return new RequestList(page.items().stream().map(this::request).toList(),
        Pagination.of(page));
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
      n.put("event", word(e.event()));
      n.put("actor", e.actor());
      n.set("details", e.details());
    }
    return a;
  }

  /** The owner-wide audit log in the shape AgentGate's server and SDK use. */
  public AuditPage auditLog(Page<AuditEntryRow> page) {
    return new AuditPage(page.items().stream().map(AuditEntry::of).toList(),
        Pagination.of(page));
  }

  public AuditActors actors(List<String> actors) {
    return new AuditActors(actors);
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

  public PolicyList policies(Page<PolicyRow> page) {
    return new PolicyList(page.items().stream().map(this::policy).toList(), Pagination.of(page));
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

  public CreatedWebhookView createdWebhook(WebhookService.CreatedWebhook created) {
    WebhookView w = WebhookView.of(created.webhook());
    return new CreatedWebhookView(w.id(), w.url(), w.events(), w.enabled(), w.createdAt(),
        created.secret(), "Save this secret - it will not be shown again");
  }

  public WebhookList webhooks(List<WebhookRow> rows) {
    return new WebhookList(rows.stream().map(WebhookView::of).toList());
  }

  public WebhookUpdated updatedWebhook(WebhookRow row) {
    return new WebhookUpdated(true, WebhookView.of(row));
  }

  public WebhookTestResult tested(WebhookService.TestOutcome outcome) {
    return new WebhookTestResult(outcome.success(), outcome.status(), outcome.message());
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
