package dev.interlock.server.dialect.agentgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.PolicyService.PolicyCommand;
import dev.interlock.server.service.Urgency;
import dev.interlock.model.PolicyRow;
import dev.interlock.workflows.Decision;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an AgentGate client sends (requests, decisions, list filters, policies), parsed and
 * validated in AgentGate's words, for the REST resources and the MCP tools alike.
 */
public final class AgentGateInput {

  /** A request without expiresAt waits this long (AgentGate's spec sets no default). */
  public static final long DEFAULT_EXPIRY_SECONDS = 24 * 3600;
  public static final int DEFAULT_PRIORITY = 100;

  private AgentGateInput() {}

  /** A create body ({@code action, params?, context?, urgency?, expiresAt?}). */
  public static CreateInterrupt create(ObjectNode in, String source, Caller caller,
      String idempotencyKey, Instant now, long maxExpiresIn) {
    String action = JsonBodies.limit(JsonBodies.requiredText(in, "action"), "action", 10_000);
    ObjectNode params = JsonBodies.optionalObject(in, "params");
    ObjectNode context = JsonBodies.optionalObject(in, "context");
    Urgency urgency = urgency(JsonBodies.optionalText(in, "urgency"));
    Instant expiresAt = expiresAt(JsonBodies.optionalText(in, "expiresAt"), now, maxExpiresIn);
    return CreateInterrupt.approval(source, caller.getName(), null, action,
        context == null ? in.objectNode() : context, params == null ? in.objectNode() : params,
        urgency, expiresAt, null, idempotencyKey);
  }

  /** A decision body ({@code decision: approved|denied, reason?, decidedBy?}). */
  public record Decide(Decision decision, String reason, String decidedBy) {

    /** Who the audit trail names: {@code decidedBy}, else the caller's key name. */
    public String actor(Caller caller) {
      return decidedBy == null || decidedBy.isBlank() ? caller.getName() : decidedBy;
    }
  }

  public static Decide decide(ObjectNode in) {
    String value = JsonBodies.requiredText(in, "decision");
    Decision decision = switch (value.toLowerCase(Locale.ROOT)) {
      case "approved" -> Decision.APPROVED;
      case "denied" -> Decision.REJECTED;
      default -> throw new InvalidRequest("decision must be approved or denied");
    };
    String reason = JsonBodies.limit(JsonBodies.optionalText(in, "reason"), "reason", 10_000);
    String decidedBy =
        JsonBodies.limit(JsonBodies.optionalText(in, "decidedBy"), "decidedBy", 256);
    return new Decide(decision, reason, decidedBy);
  }

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
  public static List<String> events(JsonNode node) {
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

  /** A webhook change ({@code {url?, events?, enabled?}}): null fields stay as they are. */
  public record WebhookPatch(String url, List<String> events, Boolean enabled) {}

  public static WebhookPatch webhookPatch(ObjectNode in) {
    String url = JsonBodies.limit(JsonBodies.optionalText(in, "url"), "url", 2048);
    JsonNode events = in.get("events");
    JsonNode enabled = in.get("enabled");
    if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
      throw new InvalidRequest("enabled must be true or false");
    }
    return new WebhookPatch(url, events == null || events.isNull() ? null : events(events),
        enabled == null || enabled.isNull() ? null : enabled.asBoolean());
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

  /** A new policy ({@code name, rules, priority?, enabled?}). */
  public static PolicyCommand newPolicy(ObjectNode in) {
    return new PolicyCommand(JsonBodies.limit(JsonBodies.requiredText(in, "name"), "name", 200),
        intField(in, "priority", DEFAULT_PRIORITY), boolField(in, "enabled", true),
        rules(in, null));
  }

  /** A policy update: the fields given replace the current ones; the others keep their value. */
  public static PolicyCommand updatedPolicy(ObjectNode in, PolicyRow current) {
    String name = JsonBodies.optionalText(in, "name");
    if (name != null && name.isBlank()) {
      throw new InvalidRequest("name must not be empty");
    }
    return new PolicyCommand(name == null ? current.name() : JsonBodies.limit(name, "name", 200),
        intField(in, "priority", current.priority()), boolField(in, "enabled", current.enabled()),
        rules(in, current.rules()));
  }

  private static JsonNode rules(ObjectNode in, JsonNode fallback) {
    JsonNode rules = in.get("rules");
    if (rules == null || rules.isNull()) {
      if (fallback == null) {
        throw new InvalidRequest("rules is required");
      }
      return fallback;
    }
    return rules;
  }

  private static int intField(ObjectNode in, String field, int fallback) {
    Long value = JsonBodies.optionalLong(in, field);
    if (value == null) {
      return fallback;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new InvalidRequest(field + " is out of range");
    }
    return value.intValue();
  }

  private static boolean boolField(ObjectNode in, String field, boolean fallback) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new InvalidRequest(field + " must be true or false");
    }
    return v.asBoolean();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
