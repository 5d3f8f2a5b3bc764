package dev.interlock.server.dialect.loopgate;

import dev.interlock.server.wire.Questions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.Urgency;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * What a Loopgate client sends, parsed and validated in Loopgate's words, for the REST
 * resource and the MCP tools alike.
 */
public final class LoopgateInput {

  public static final long DEFAULT_TIMEOUT_SECONDS = 300;
  public static final int MAX_OPTIONS = Questions.MAX_OPTIONS;

  private LoopgateInput() {}

  /** A request to a person, made in the agent session {@code sessionId} (which must be active). */
  public record NewRequest(String sessionId, CreateInterrupt command) {}

  /**
   * A request body ({@code session_id, client_id, message, request_type?, options?,
   * timeout_seconds?, callback_url?, metadata?}).
   */
  public static NewRequest request(ObjectNode in, String source, String idempotencyKey,
      Instant now, long maxTimeoutSeconds) {
    String sessionId =
        JsonBodies.limit(JsonBodies.requiredText(in, "session_id"), "session_id", 256);
    String clientId = JsonBodies.limit(JsonBodies.requiredText(in, "client_id"), "client_id", 256);
    String message = JsonBodies.limit(JsonBodies.requiredText(in, "message"), "message", 10_000);
    ArrayNode options = options(in, "options");
    String requestType = requestType(JsonBodies.optionalText(in, "request_type"), options);
    Long timeout = JsonBodies.optionalLong(in, "timeout_seconds");
    if (timeout == null || timeout == 0) {
      timeout = DEFAULT_TIMEOUT_SECONDS; // Loopgate treats 0 as "not given"
    }
    if (timeout < 0) {
      throw new InvalidRequest("timeout_seconds must be a positive number of seconds");
    }
    if (timeout > maxTimeoutSeconds) {
      throw new InvalidRequest("timeout_seconds must be at most " + maxTimeoutSeconds);
    }
    String callbackUrl =
        JsonBodies.limit(JsonBodies.optionalText(in, "callback_url"), "callback_url", 2048);
    if (callbackUrl != null && callbackUrl.isBlank()) {
      callbackUrl = null;
    }
    ObjectNode metadata = JsonBodies.optionalObject(in, "metadata");
    return new NewRequest(sessionId, new CreateInterrupt(source, clientId, sessionId, message,
        metadata == null ? in.objectNode() : metadata, null, Urgency.NORMAL,
        now.plusSeconds(timeout), callbackUrl, idempotencyKey, requestType, options, sessionId));
  }

  /** The answers a person may pick: a non-empty array of non-empty strings, or null. */
  public static ArrayNode options(ObjectNode in, String field) {
    return Questions.options(in, field);
  }

  /** The given type, or {@code choice} with options and {@code input} without. */
  public static String requestType(String given, ArrayNode options) {
    if (given == null || given.isBlank()) {
      return options != null ? "choice" : "input";
    }
    String type = given.trim().toLowerCase(Locale.ROOT);
    if (!Set.of("confirmation", "input", "choice").contains(type)) {
      throw new InvalidRequest("request_type must be one of confirmation, input, choice");
    }
    if (type.equals("choice") && options == null) {
      throw new InvalidRequest("a choice request needs options");
    }
    return type;
  }
}
