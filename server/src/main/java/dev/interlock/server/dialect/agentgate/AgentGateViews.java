package dev.interlock.server.dialect.agentgate;

import dev.interlock.server.wire.Quorum;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.AuditEntryRow;
import dev.interlock.model.CountRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.model.PolicyRow;
import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.model.WebhookRow;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.WebhookService;
import dev.interlock.server.wire.WhatIsAsked;
import dev.interlock.worker.policy.PolicyMatch;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Renders the core in AgentGate's words: requests, audit, policies, webhooks, keys. Every
 * answer is a record made in one place here, with its fields in AgentGate's order; nulls are
 * written unless a field is marked as left out when empty ({@code executionResult},
 * {@code ruleIndex}). Lists are the envelopes AgentGate's own server sends and its SDK reads
 * ({@code {requests, pagination}}, {@code {policies, pagination}}, {@code {webhooks}},
 * {@code {keys}}, {@code {entries, pagination}}, {@code {actors}}).
 */
public final class AgentGateViews {

  /** Offset pagination as AgentGate's server reports it beside every paged list. */
  @JsonPropertyOrder({"total", "limit", "offset", "hasMore"})
  public record Pagination(long total, int limit, int offset, boolean hasMore) {
    static Pagination of(Page<?> page) {
      return new Pagination(page.total(), page.limit(), page.offset(), page.hasMore());
    }
  }

  /**
   * A request, as {@code /api/requests} shows it and every webhook payload carries it;
   * {@code executionResult} only once a result was confirmed.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "action", "params", "context", "status", "urgency", "decidedBy",
      "decisionReason", "createdAt", "updatedAt", "decidedAt", "expiresAt", "confirmedAt",
      "executionResult", "assignee", "reviewers", "requiredApprovals", "approvals"})
  public record RequestView(String id, String action, JsonNode params, JsonNode context,
      String status, String urgency, String decidedBy, String decisionReason, String createdAt,
      String updatedAt, String decidedAt, String expiresAt, String confirmedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode executionResult,
      /* Interlock extensions, present only when set: who is asked, routing, quorum. */
      @JsonInclude(JsonInclude.Include.NON_NULL) String assignee,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> reviewers,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer requiredApprovals,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Quorum.ApprovalView> approvals) {

    static RequestView of(InterruptRow row) {
      // A request made through another door has no params: AgentGate's clients read an object.
      JsonNode params = row.params() == null || !row.params().isObject()
          ? JsonNodeFactory.instance.objectNode() : row.params();
      // A Loopgate question's options, shown where AgentGate has room for them (WhatIsAsked).
      return new RequestView(row.id(), row.action(), params,
          WhatIsAsked.contextWithParts(row, false, true), AgentGateRequests.status(row.status()),
          row.urgency(), row.decidedBy(), row.reason(), IsoTimes.format(row.createdAt()),
          IsoTimes.format(AgentGateRequests.updatedAt(row)), IsoTimes.format(row.decidedAt()),
          IsoTimes.format(row.expiresAt()), IsoTimes.format(row.confirmedAt()),
          row.confirmResult(), row.assignee(), row.reviewers(), Quorum.required(row),
          Quorum.approvals(row));
    }
  }

  /** {@code GET /api/requests}: the requests and the page. */
  @JsonPropertyOrder({"requests", "pagination"})
  public record RequestList(List<RequestView> requests, Pagination pagination) {}

  /** {@code POST /api/requests/{id}/decide}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "status", "decidedBy", "decidedAt"})
  public record Decided(String id, String status, String decidedBy, String decidedAt) {
    static Decided of(InterruptRow row) {
      return new Decided(row.id(), AgentGateRequests.status(row.status()), row.decidedBy(),
          IsoTimes.format(row.decidedAt()));
    }
  }

  /** The webhook payload: {@code {event, data: {request}, timestamp}}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"event", "data", "timestamp"})
  public record WebhookPayload(String event, Data data, String timestamp) {
    public record Data(RequestView request) {}
  }

  /** One event of a request's audit trail ({@code GET /api/requests/{id}/audit}). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"timestamp", "event", "actor", "details"})
  public record AuditEvent(String timestamp, String event, String actor, JsonNode details) {
    static AuditEvent of(InterruptEventRow e) {
      return new AuditEvent(IsoTimes.format(e.at()), word(e.event()), e.actor(), e.details());
    }
  }

  /** {@code GET /api/requests/queue-stats}, in the snake_case AgentGate uses there. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"total_pending", "by_urgency", "oldest_pending_age_ms"})
  public record QueueStats(@JsonProperty("total_pending") long totalPending,
      @JsonProperty("by_urgency") ByUrgency byUrgency,
      @JsonProperty("oldest_pending_age_ms") Long oldestPendingAgeMs) {}

  /** Pending requests per urgency, every urgency named. */
  @JsonPropertyOrder({"low", "normal", "high", "critical"})
  public record ByUrgency(long low, long normal, long high, long critical) {
    static ByUrgency of(List<CountRow> counts) {
      return new ByUrgency(count(counts, "low"), count(counts, "normal"), count(counts, "high"),
          count(counts, "critical"));
    }

    private static long count(List<CountRow> counts, String urgency) {
      return counts.stream().filter(c -> c.label().equals(urgency)).mapToLong(CountRow::count)
          .sum();
    }
  }

  /** A policy: its rules as the owner wrote them. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "name", "priority", "enabled", "rules", "version", "createdAt",
      "updatedAt"})
  public record PolicyView(String id, String name, int priority, boolean enabled,
      JsonNode rules, int version, String createdAt, String updatedAt) {
    static PolicyView of(PolicyRow p) {
      return new PolicyView(p.id(), p.name(), p.priority(), p.enabled(), p.rules(), p.version(),
          IsoTimes.format(p.createdAt()), IsoTimes.format(p.updatedAt()));
    }
  }

  /** {@code GET /api/policies}: the policies and the page. */
  @JsonPropertyOrder({"policies", "pagination"})
  public record PolicyList(List<PolicyView> policies, Pagination pagination) {}

  /** What deleting answers where a body is wanted (REST answers 204 without one). */
  @JsonPropertyOrder({"id", "deleted"})
  public record Deleted(String id, boolean deleted) {}

  /**
   * {@code POST /api/policies/simulate}: the decision and the policy that made it, null when
   * none matched; {@code ruleIndex} only when one did.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"decision", "policy", "ruleIndex"})
  public record Simulation(String decision, MatchedPolicy policy,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer ruleIndex) {
    static Simulation of(PolicyMatch match) {
      return match.matched()
          ? new Simulation(match.decision().wire(), new MatchedPolicy(match.policyId(),
              match.policyName(), match.policyVersion()), match.ruleIndex())
          : new Simulation(match.decision().wire(), null, null);
    }
  }

  /** The policy a simulation matched, at the version that decided. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "name", "version"})
  public record MatchedPolicy(String id, String name, int version) {}

  /** A webhook without its secret; {@code enabled} is the owner's on/off switch. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "url", "events", "enabled", "createdAt"})
  public record WebhookView(String id, String url, List<String> events, boolean enabled,
      String createdAt) {
    static WebhookView of(WebhookRow w) {
      return new WebhookView(w.id(), w.url(), w.events(), w.enabled(),
          IsoTimes.format(w.createdAt()));
    }
  }

  /** The create answer: the only time the secret is shown. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "url", "events", "enabled", "createdAt", "secret", "message"})
  public record CreatedWebhookView(String id, String url, List<String> events, boolean enabled,
      String createdAt, String secret, String message) {}

  /** {@code GET /api/webhooks}. */
  public record WebhookList(List<WebhookView> webhooks) {}

  /** {@code PATCH /api/webhooks/{id}}: AgentGate's {@code {success}}, and the webhook now. */
  @JsonPropertyOrder({"success", "webhook"})
  public record WebhookUpdated(boolean success, WebhookView webhook) {}

  /** {@code POST /api/webhooks/{id}/test}; {@code status} is left out when nothing answered. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"success", "status", "message"})
  public record WebhookTestResult(boolean success, Integer status, String message) {}

  /** One delivery of a webhook event, with every attempt, oldest first. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "webhookId", "event", "requestId", "status", "attempts",
      "lastStatus", "lastError", "replayOf", "createdAt", "deliveredAt", "attemptLog"})
  public record DeliveryView(String id, String webhookId, String event, String requestId,
      String status, int attempts, Integer lastStatus, String lastError, String replayOf,
      String createdAt, String deliveredAt, List<AttemptView> attemptLog) {
    static DeliveryView of(WebhookService.Delivery d) {
      WebhookDeliveryRow row = d.delivery();
      return new DeliveryView(row.id(), row.webhookId(), row.event(), row.interruptId(),
          row.state(), row.attempts(), row.lastStatus(), row.lastError(), row.replayOf(),
          IsoTimes.format(row.createdAt()), IsoTimes.format(row.deliveredAt()),
          d.attempts().stream().map(AttemptView::of).toList());
    }
  }

  /** One attempt of a delivery: what the receiver answered, or why nothing did. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"attempt", "timestamp", "outcome", "httpStatus", "error", "durationMs"})
  public record AttemptView(int attempt, String timestamp, String outcome, Integer httpStatus,
      String error, int durationMs) {
    static AttemptView of(WebhookAttemptRow a) {
      return new AttemptView(a.attempt(), IsoTimes.format(a.at()), a.outcome(), a.httpStatus(),
          a.error(), a.durationMs());
    }
  }

  /** The request an audit entry belongs to, as it is now. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "action", "status", "urgency"})
  public record AuditRequest(String id, String action, String status, String urgency) {}

  /** One event of the owner-wide audit log ({@code /api/audit} and its MCP tool). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "requestId", "eventType", "actor", "details", "createdAt", "request"})
  public record AuditEntry(String id, String requestId, String eventType, String actor,
      JsonNode details, String createdAt, AuditRequest request) {
    static AuditEntry of(AuditEntryRow e) {
      return new AuditEntry(Long.toString(e.id()), e.interruptId(), word(e.event()), e.actor(),
          e.details(), IsoTimes.format(e.at()), new AuditRequest(e.interruptId(), e.action(),
              AgentGateRequests.status(e.status()), e.urgency()));
    }
  }

  /** {@code GET /api/audit}: newest first. */
  @JsonPropertyOrder({"entries", "pagination"})
  public record AuditPage(List<AuditEntry> entries, Pagination pagination) {}

  /** {@code GET /api/audit/actors}. */
  public record AuditActors(List<String> actors) {}

  /** An API key without the key itself. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "name", "scopes", "rateLimit", "prefix", "active", "createdAt",
      "lastUsedAt", "revokedAt"})
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
  @JsonPropertyOrder({"id", "key", "name", "scopes", "rateLimit", "prefix", "active",
      "createdAt", "message"})
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

  public RequestView request(InterruptRow row) {
    return RequestView.of(row);
  }

  public RequestList requests(Page<InterruptRow> page) {
    return new RequestList(page.items().stream().map(RequestView::of).toList(),
        Pagination.of(page));
  }

  public Decided decided(InterruptRow row) {
    return Decided.of(row);
  }

  /** The audit trail, oldest first; the core's "rejected" reads "denied" here too. */
  public List<AuditEvent> audit(List<InterruptEventRow> events) {
    return events.stream().map(AuditEvent::of).toList();
  }

  /** The owner-wide audit log in the shape AgentGate's server and SDK use. */
  public AuditPage auditLog(Page<AuditEntryRow> page) {
    return new AuditPage(page.items().stream().map(AuditEntry::of).toList(),
        Pagination.of(page));
  }

  public AuditActors actors(List<String> actors) {
    return new AuditActors(actors);
  }

  public QueueStats queueStats(InterruptService.QueueStats stats) {
    Long oldest = stats.oldestPending() == null ? null
        : Math.max(0, Duration.between(stats.oldestPending(), clock.instant()).toMillis());
    return new QueueStats(stats.totalPending(), ByUrgency.of(stats.byUrgency()), oldest);
  }

  public PolicyView policy(PolicyRow p) {
    return PolicyView.of(p);
  }

  public Deleted deleted(String id) {
    return new Deleted(id, true);
  }

  public PolicyList policies(Page<PolicyRow> page) {
    return new PolicyList(page.items().stream().map(PolicyView::of).toList(),
        Pagination.of(page));
  }

  public Simulation simulation(PolicyMatch match) {
    return Simulation.of(match);
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

  public DeliveryView delivery(WebhookService.Delivery d) {
    return DeliveryView.of(d);
  }

  public List<DeliveryView> deliveries(List<WebhookService.Delivery> rows) {
    return rows.stream().map(DeliveryView::of).toList();
  }
}
