package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.workflows.Decision;
import java.util.Locale;

/**
 * LoopIn's words for what a client sends, shared by its request records
 * ({@link CreateInterruptRequest}, {@link DecideInterruptRequest}) and its MCP tools, so that
 * REST and MCP accept and refuse the same input with the same messages.
 */
final class LoopinInput {

  static final long DEFAULT_EXPIRES_IN = 3600;
  static final int MAX_ACTION = 10_000;
  static final int MAX_ID = 256;
  static final int MAX_REASON = 10_000;
  static final int MAX_CALLBACK_URL = 2048;

  private LoopinInput() {}

  /** A string a client must send: absent, null and blank are all "is required". */
  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequest(field + " is required");
    }
    return value;
  }

  /**
   * A whole number, or null when absent. Kept as any JSON value in the records because LoopIn
   * takes {@code 3.0} as 3, which strict binding to a {@code Long} would refuse.
   */
  static Long wholeNumber(JsonNode value, String field) {
    return JsonBodies.wholeNumber(value, field);
  }

  /** LoopIn's three urgencies; AgentGate's {@code normal} and {@code critical} are accepted too. */
  static Urgency urgency(String value) {
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

  /** {@code approved} or {@code rejected}, in any case, and their verbs and AgentGate's words. */
  static Decision decision(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "approved", "approve" -> Decision.APPROVED;
      case "rejected", "reject", "denied", "deny" -> Decision.REJECTED;
      default -> throw new InvalidRequest("decision must be approved or rejected");
    };
  }
}
