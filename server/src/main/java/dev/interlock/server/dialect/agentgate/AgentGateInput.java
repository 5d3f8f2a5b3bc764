package dev.interlock.server.dialect.agentgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.PolicyRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.PolicyService.PolicyCommand;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.workflows.Decision;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an AgentGate client sends, in AgentGate's words, for the REST resources and the MCP
 * tools alike. Each body is a record bound by {@link JsonBodies#read} (or {@link
 * JsonBodies#bind} for a tool's arguments), which refuses fields of the wrong kind ("action
 * must be a string"); the record's one validator then makes the checks binding cannot, with
 * AgentGate's messages. A field AgentGate accepts in more than one kind (a priority of
 * {@code 7.0}, events that must read "an array of event names") stays a {@link JsonNode} and
 * is checked here. List filters and paging come from query strings, parsed here too.
 */
public final class AgentGateInput {

  /** A request without expiresAt waits this long (AgentGate's spec sets no default). */
  public static final long DEFAULT_EXPIRY_SECONDS = 24 * 3600;
  public static final int DEFAULT_PRIORITY = 100;
  static final int MAX_RATE_LIMIT = 1_000_000;

  private AgentGateInput() {}

  /** {@code POST /api/requests} and {@code agentgate_request}. */
  public record RequestBody(String action, ObjectNode params, ObjectNode context, String urgency,
      String expiresAt,
      /* Interlock extensions: who is asked; reviewer groups or usernames; a quorum. */
      String assignee, List<String> reviewers, Integer requiredApprovals) {

    /** The core's command; {@code expiresAt} at most {@code maxExpiresIn} seconds ahead. */
    public CreateInterrupt command(String source, Caller caller, String idempotencyKey,
        Instant now, long maxExpiresIn) {
      String checked = JsonBodies.limit(required(action, "action"), "action", 10_000);
      Urgency level = AgentGateInput.urgency(urgency);
      Instant expires = AgentGateInput.expiresAt(expiresAt, now, maxExpiresIn);
      return CreateInterrupt.approval(source, caller.getName(), null, checked, orEmpty(context),
          orEmpty(params), level, expires, null, idempotencyKey)
          .withQuorum(reviewers, requiredApprovals == null ? 1 : requiredApprovals)
          .withAssignee(assignee == null || assignee.isBlank() ? null : assignee.trim());
    }
  }

  /** {@code POST /api/policies/simulate}: a request as it would be created, to ask the policies. */
  public record SimulateBody(String action, String urgency, ObjectNode params,
      ObjectNode context) {

    /** The same request with its action required and its urgency in the stored word. */
    public SimulateBody validated() {
      return new SimulateBody(required(action, "action"),
          AgentGateInput.urgency(urgency).stored(), params, context);
    }
  }

  /** {@code POST /api/requests/{id}/decide} and {@code agentgate_decide}. */
  public record DecideBody(String decision, String reason, String decidedBy) {

    public Decide validated() {
      Decision chosen = switch (required(decision, "decision").toLowerCase(Locale.ROOT)) {
        case "approved" -> Decision.APPROVED;
        case "denied" -> Decision.REJECTED;
        default -> throw new InvalidRequest("decision must be approved or denied");
      };
      return new Decide(chosen, JsonBodies.limit(reason, "reason", 10_000),
          JsonBodies.limit(decidedBy, "decidedBy", 256));
    }
  }

  /** A decision ({@code approved|denied} in the core's words). */
  public record Decide(Decision decision, String reason, String decidedBy) {

    /**
     * Who the audit trail names: for a key, {@code decidedBy} (an agent deciding for someone
     * it names, as AgentGate allows), else the key's name; a person who logged in is always
     * named as themself, so no one records a decision under someone else's name.
     */
    public String actor(Caller caller) {
      if (caller.isUser()) {
        return caller.getName();
      }
      return decidedBy == null || decidedBy.isBlank() ? caller.getName() : decidedBy;
    }
  }

  /** {@code POST /api/requests/{id}/confirm}: {@code result} is any JSON, kept as sent. */
  public record ConfirmBody(JsonNode result) {

    /** The result to keep, or null when none was sent (absent or JSON null). */
    public JsonNode executionResult() {
      return result == null || result.isNull() ? null : result;
    }
  }

  /**
   * {@code POST}, {@code PUT} and {@code PATCH /api/policies} and the policy tools. The rules
   * stay a JSON document: the policy engine validates them, naming the rule that is wrong.
   */
  public record PolicyBody(String name, JsonNode priority, JsonNode enabled, JsonNode rules) {

    /**
     * A new policy when {@code current} is null (name and rules required); else an update of
     * {@code current}, whose values stand for the fields left out.
     */
    public PolicyCommand command(PolicyRow current) {
      String checked;
      if (current == null) {
        checked = JsonBodies.limit(required(name, "name"), "name", 200);
      } else if (name != null && name.isBlank()) {
        throw new InvalidRequest("name must not be empty");
      } else {
        checked = name == null ? current.name() : JsonBodies.limit(name, "name", 200);
      }
      int order = intOr(priority, "priority", current == null ? DEFAULT_PRIORITY
          : current.priority());
      boolean on = boolOr(enabled, "enabled", current == null || current.enabled());
      JsonNode ruleList = absent(rules) ? null : rules;
      if (ruleList == null && current == null) {
        throw new InvalidRequest("rules is required");
      }
      return new PolicyCommand(checked, order, on, ruleList == null ? current.rules() : ruleList);
    }

    /** {@code agentgate_update_policy} replaces a policy: name and rules required there. */
    public PolicyCommand replacement(PolicyRow current) {
      required(name, "name");
      if (absent(rules)) {
        throw new InvalidRequest("rules is required");
      }
      return command(current);
    }
  }

  /** {@code POST /api/webhooks}: {@code {url, events, secret?}}. */
  public record WebhookBody(String url, JsonNode events, String secret) {

    public NewWebhook validated() {
      String checked = JsonBodies.limit(required(url, "url"), "url", 2048);
      List<String> names = AgentGateInput.events(events);
      return new NewWebhook(checked, names, JsonBodies.limit(secret, "secret", 512));
    }
  }

  /** A webhook to create, as the service takes it (which URLs and events exist is its rule). */
  public record NewWebhook(String url, List<String> events, String secret) {}

  /** {@code PATCH /api/webhooks/{id}}: {@code {url?, events?, enabled?}}. */
  public record WebhookPatchBody(String url, JsonNode events, JsonNode enabled) {

    public WebhookPatch validated() {
      String checked = JsonBodies.limit(url, "url", 2048);
      if (!absent(enabled) && !enabled.isBoolean()) {
        throw new InvalidRequest("enabled must be true or false");
      }
      return new WebhookPatch(checked, absent(events) ? null : AgentGateInput.events(events),
          absent(enabled) ? null : enabled.asBoolean());
    }
  }

  /** A webhook change: null fields stay as they are. */
  public record WebhookPatch(String url, List<String> events, Boolean enabled) {}

  /** {@code POST /api/keys} and {@code /api/api-keys}: {@code {name, scopes, rateLimit?}}. */
  public record KeyBody(String name, JsonNode scopes, JsonNode rateLimit) {

    public NewKey validated() {
      String checked = JsonBodies.limit(required(name, "name"), "name", 200);
      Set<String> granted = scopes(scopes);
      Long perMinute = optionalLong(rateLimit, "rateLimit");
      if (perMinute != null && perMinute > MAX_RATE_LIMIT) {
        throw new InvalidRequest("rateLimit must be at most " + MAX_RATE_LIMIT + " per minute");
      }
      return new NewKey(checked, granted,
          perMinute == null || perMinute <= 0 ? null : perMinute.intValue());
    }

    private static Set<String> scopes(JsonNode node) {
      if (absent(node)) {
        throw new InvalidRequest(
            "scopes is required (for example [\"request:create\", \"request:read\"])");
      }
      if (!node.isArray() || node.isEmpty()) {
        throw new InvalidRequest("scopes must be a non-empty array of scopes");
      }
      Set<String> scopes = new LinkedHashSet<>();
      for (JsonNode s : node) {
        if (!s.isTextual() || !Scopes.isKnown(s.asText())) {
          throw new InvalidRequest(
              "unknown scope " + s + "; use " + String.join(", ", Scopes.ALL));
        }
        scopes.add(s.asText());
      }
      return scopes;
    }
  }

  /** A key to issue; a null rate limit is unlimited. */
  public record NewKey(String name, Set<String> scopes, Integer rateLimit) {}

  /** List filters in core words; {@code limit} 1..100 (default 50), {@code offset} >= 0. */
  public record ListQuery(String status, String action, String urgency, int limit, int offset) {}

  public static ListQuery list(String status, String action, String urgency, String limit,
      String offset) {
    Paging page = paging(limit, offset);
    return new ListQuery(coreStatus(status), blankToNull(action),
        urgency == null || urgency.isBlank() ? null : urgency(urgency).stored(), page.limit(),
        page.offset());
  }

  /** Offset pagination of every AgentGate list: {@code limit} 1..100 (default 50), {@code offset} >= 0. */
  public record Paging(int limit, int offset) {}

  public static Paging paging(String limit, String offset) {
    int max = intParam("limit", limit, 50);
    if (max < 1 || max > 100) {
      throw new InvalidRequest("limit must be between 1 and 100");
    }
    int skip = intParam("offset", offset, 0);
    if (skip < 0) {
      throw new InvalidRequest("offset must not be negative");
    }
    return new Paging(max, skip);
  }

  /**
   * Audit log filters in AgentGate's words ({@code status} and {@code eventType} say
   * {@code denied}); {@code limit} 1..100 (default 50). {@code from} and {@code to} are
   * ISO-8601 date-times, or dates ({@code 2024-01-15}, as AgentGate's dashboard sends them)
   * meaning that whole day in UTC.
   */
  public static InterruptService.AuditQuery auditQuery(String requestId, String action,
      String status, String eventType, String actor, String from, String to, String limit,
      String offset) {
    ListQuery page = list(status, action, null, limit, offset);
    String event = blankToNull(eventType);
    if ("denied".equalsIgnoreCase(event)) {
      event = "rejected";
    }
    return new InterruptService.AuditQuery(blankToNull(requestId), page.action(), page.status(),
        event, blankToNull(actor), dayOrInstant("from", from, false),
        dayOrInstant("to", to, true), page.limit(), page.offset());
  }

  public static Urgency urgency(String value) {
    if (value == null) {
      return Urgency.NORMAL;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "low" -> Urgency.LOW;
      case "normal" -> Urgency.NORMAL;
      case "high" -> Urgency.HIGH;
      case "critical" -> Urgency.CRITICAL;
      default -> throw new InvalidRequest("urgency must be one of low, normal, high, critical");
    };
  }

  /** An ISO-8601 instant in the future, at most {@code maxExpiresIn} seconds ahead. */
  public static Instant expiresAt(String value, Instant now, long maxExpiresIn) {
    if (value == null || value.isBlank()) {
      return now.plusSeconds(DEFAULT_EXPIRY_SECONDS);
    }
    Instant at = instant("expiresAt", value);
    if (!at.isAfter(now)) {
      throw new InvalidRequest("expiresAt must be in the future");
    }
    if (at.isAfter(now.plusSeconds(maxExpiresIn))) {
      throw new InvalidRequest("expiresAt must be at most " + maxExpiresIn + " seconds ahead");
    }
    return at;
  }

  /** An ISO-8601 date-time with an offset, or null when blank. */
  public static Instant instant(String field, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidRequest(
          field + " must be an ISO-8601 date-time such as 2024-01-15T11:30:00Z");
    }
  }

  /** An instant, or a date's first (or, with {@code endOfDay}, last) instant in UTC. */
  static Instant dayOrInstant(String field, String value, boolean endOfDay) {
    if (value != null && value.trim().length() == 10) {
      try {
        LocalDate day = LocalDate.parse(value.trim());
        return endOfDay
            ? day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusNanos(1000)
            : day.atStartOfDay().toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // not a date: parsed below as a date-time, whose error message says what to send
      }
    }
    return instant(field, value);
  }

  /** A webhook's event names: a non-empty JSON array of strings (which names exist is the service's rule). */
  static List<String> events(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new InvalidRequest("events must be an array of event names");
    }
    List<String> events = new ArrayList<>();
    for (JsonNode e : node) {
      if (!e.isTextual()) {
        throw new InvalidRequest("events must be an array of event names");
      }
      events.add(e.asText());
    }
    return events;
  }

  /** AgentGate's status words in core words ({@code denied} is {@code rejected}). */
  public static String coreStatus(String status) {
    if (status == null || status.isBlank()) {
      return null;
    }
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "pending", "approved", "expired", "cancelled" -> status.toLowerCase(Locale.ROOT);
      case "denied" -> "rejected";
      default -> throw new InvalidRequest("status must be one of pending, approved, denied, expired");
    };
  }

  public static int intParam(String name, String value, int fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequest(name + " must be a whole number");
    }
  }

  /** A text field binding left as it came: "field is required" when null or blank. */
  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequest(field + " is required");
    }
    return value;
  }

  /** Whether a loosely typed field was left out (absent or JSON null). */
  static boolean absent(JsonNode value) {
    return value == null || value.isNull();
  }

  private static ObjectNode orEmpty(ObjectNode value) {
    return value == null ? JsonNodeFactory.instance.objectNode() : value;
  }

  private static Long optionalLong(JsonNode value, String field) {
    return JsonBodies.wholeNumber(value, field);
  }

  private static int intOr(JsonNode value, String field, int fallback) {
    Long number = optionalLong(value, field);
    if (number == null) {
      return fallback;
    }
    if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE) {
      throw new InvalidRequest(field + " is out of range");
    }
    return number.intValue();
  }

  private static boolean boolOr(JsonNode value, String field, boolean fallback) {
    if (absent(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw new InvalidRequest(field + " must be true or false");
    }
    return value.asBoolean();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
