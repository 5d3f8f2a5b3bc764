package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.Urgency;
import dev.interlock.workflows.Decision;
import java.time.Instant;
import java.util.Locale;

/**
 * What a LoopIn client sends, parsed and validated in LoopIn's words. The REST resource and
 * the MCP tools both read their arguments through here, so both accept and refuse the same
 * input with the same messages.
 */
public final class LoopinInput {

  public static final long DEFAULT_EXPIRES_IN = 3600;
  public static final int MAX_ACTION = 10_000;
  public static final int MAX_ID = 256;

  private LoopinInput() {}

  /** A create body ({@code agentId, userId, action, context?, urgency?, expiresIn?, callbackUrl?}). */
  public static CreateInterrupt create(ObjectNode in, String source, String idempotencyKey,
      Instant now, long maxExpiresIn) {
    String agentId = JsonBodies.limit(JsonBodies.requiredText(in, "agentId"), "agentId", MAX_ID);
    String userId = JsonBodies.limit(JsonBodies.requiredText(in, "userId"), "userId", MAX_ID);
    String action = JsonBodies.limit(JsonBodies.requiredText(in, "action"), "action", MAX_ACTION);
    ObjectNode context = JsonBodies.optionalObject(in, "context");
    Urgency urgency = urgency(JsonBodies.optionalText(in, "urgency"));
    Long expiresIn = JsonBodies.optionalLong(in, "expiresIn");
    if (expiresIn == null) {
      expiresIn = DEFAULT_EXPIRES_IN;
    }
    if (expiresIn <= 0) {
      throw new InvalidRequest("expiresIn must be a positive number of seconds");
    }
    if (expiresIn > maxExpiresIn) {
      throw new InvalidRequest("expiresIn must be at most " + maxExpiresIn + " seconds");
    }
    String callbackUrl =
        JsonBodies.limit(JsonBodies.optionalText(in, "callbackUrl"), "callbackUrl", 2048);
    if (callbackUrl != null && callbackUrl.isBlank()) {
      callbackUrl = null;
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw new InvalidRequest("Idempotency-Key must be 1 to 255 characters");
    }
    return CreateInterrupt.approval(source, agentId, userId, action,
        context == null ? in.objectNode() : context, null, urgency, now.plusSeconds(expiresIn),
        callbackUrl, idempotencyKey);
  }

  /** A decision body ({@code decision, reason?, modifiedParams?}). */
  public record Decide(Decision decision, String reason, ObjectNode modifiedParams) {}

  public static Decide decide(ObjectNode in) {
    Decision decision = decision(JsonBodies.requiredText(in, "decision"));
    String reason = JsonBodies.limit(JsonBodies.optionalText(in, "reason"), "reason", 10_000);
    return new Decide(decision, reason, JsonBodies.optionalObject(in, "modifiedParams"));
  }

  /** LoopIn's three urgencies; AgentGate's {@code normal} and {@code critical} are accepted too. */
  public static Urgency urgency(String value) {
    if (value == null) {
      return Urgency.NORMAL;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "low" -> Urgency.LOW;
      case "medium", "normal" -> Urgency.NORMAL;
      case "high", "critical" -> Urgency.HIGH;
      default -> throw new InvalidRequest("urgency must be one of low, medium, high");
    };
  }

  public static Decision decision(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "approved", "approve" -> Decision.APPROVED;
      case "rejected", "reject", "denied", "deny" -> Decision.REJECTED;
      default -> throw new InvalidRequest("decision must be approved or rejected");
    };
  }
}
