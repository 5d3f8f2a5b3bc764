package dev.interlock.server.dialect.loopgate;

import static dev.interlock.server.wire.JsonBodies.limit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.wire.Questions;
import dev.interlock.workflows.Decision;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * What a Loopgate client sends under {@code /hitl}, as records bound by
 * {@link JsonBodies#read}, each with one validator that checks it in Loopgate's words: for the
 * REST resource and the MCP tools alike. A field Loopgate accepts in more than one kind (a
 * whole number written {@code 300.0}, options that must be checked one by one) stays a
 * {@link JsonNode} for its validator to read, so that binding refuses nothing Loopgate takes.
 */
public final class LoopgateInput {

  public static final long DEFAULT_TIMEOUT_SECONDS = 300;
  static final int MAX_ID = 256;
  static final int MAX_TEXT = 10_000;

  private LoopgateInput() {}

  /** An agent session to register ({@code POST /hitl/register}). */
  public record NewSession(String sessionId, String clientId, Long telegramId) {}

  /** A request to a person, made in the agent session {@code sessionId} (which must be active). */
  public record NewRequest(String sessionId, CreateInterrupt command) {}

  /** {@code POST /hitl/register}: {@code {session_id, client_id, telegram_id?}}. */
  record SessionRegistration(
      @JsonProperty("session_id") String sessionId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("telegram_id") JsonNode telegramId) {

    /** The session to register; a telegram id of 0 means none, as in Loopgate. */
    NewSession validated() {
      String session = limit(required(sessionId, "session_id"), "session_id", MAX_ID);
      String client = limit(required(clientId, "client_id"), "client_id", MAX_ID);
      Long telegram = wholeNumber(telegramId, "telegram_id");
      return new NewSession(session, client, telegram == null || telegram == 0 ? null : telegram);
    }
  }

  /**
   * {@code POST /hitl/request} and the {@code request_human_input} tool: {@code {session_id,
   * client_id, message, request_type?, options?, timeout_seconds?, callback_url?, metadata?}}.
   */
  record RequestBody(
      @JsonProperty("session_id") String sessionId,
      @JsonProperty("client_id") String clientId,
      String message,
      @JsonProperty("request_type") String requestType,
      JsonNode options,
      @JsonProperty("timeout_seconds") JsonNode timeoutSeconds,
      @JsonProperty("callback_url") String callbackUrl,
      ObjectNode metadata) {

    NewRequest validated(String idempotencyKey, Instant now, long maxTimeoutSeconds) {
      String session = limit(required(sessionId, "session_id"), "session_id", MAX_ID);
      String client = limit(required(clientId, "client_id"), "client_id", MAX_ID);
      String text = limit(required(message, "message"), "message", MAX_TEXT);
      ArrayNode choices = Questions.options(alone("options", options), "options");
      String type = LoopgateInput.requestType(requestType, choices);
      Long timeout = wholeNumber(timeoutSeconds, "timeout_seconds");
      if (timeout == null || timeout == 0) {
        timeout = DEFAULT_TIMEOUT_SECONDS; // Loopgate treats 0 as "not given"
      }
      if (timeout < 0) {
        throw new InvalidRequest("timeout_seconds must be a positive number of seconds");
      }
      if (timeout > maxTimeoutSeconds) {
        throw new InvalidRequest("timeout_seconds must be at most " + maxTimeoutSeconds);
      }
      String callback = limit(callbackUrl, "callback_url", 2048);
      if (callback != null && callback.isBlank()) {
        callback = null;
      }
      return new NewRequest(session, new CreateInterrupt(LoopgateDialect.SOURCE, client, session,
          text, metadata == null ? JsonNodeFactory.instance.objectNode() : metadata, null,
          Urgency.NORMAL, now.plusSeconds(timeout), callback, idempotencyKey, type, choices,
          session));
    }
  }

  /** {@code POST /hitl/deactivate}: {@code {session_id}}. */
  record SessionRef(@JsonProperty("session_id") String sessionId) {

    String validated() {
      return required(sessionId, "session_id");
    }
  }

  /**
   * {@code POST /hitl/cancel}, the first look at {@code POST /hitl/respond}, and the tools
   * that name a request: {@code {request_id}}.
   */
  record RequestRef(@JsonProperty("request_id") String requestId) {

    String validated() {
      return required(requestId, "request_id");
    }
  }

  /**
   * A person's answer ({@code POST /hitl/respond}): {@code {response, approved?}} beside the
   * {@link RequestRef}. {@code approved} is read here rather than bound as a boolean, because
   * Loopgate says "approved must be true or false" where binding would say otherwise.
   */
  record Answer(String response, JsonNode approved) {

    /** Approved or rejected: as said, else rejected for a rejecting answer (no, deny, ...). */
    Decision validated() {
      String text = limit(required(response, "response"), "response", MAX_TEXT);
      boolean yes;
      if (approved == null || approved.isNull()) {
        yes = !Questions.isRejection(text);
      } else if (approved.isBoolean()) {
        yes = approved.asBoolean();
      } else {
        throw new InvalidRequest("approved must be true or false");
      }
      return yes ? Decision.APPROVED : Decision.REJECTED;
    }
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

  /** A bound string that must be there and not blank (as {@link JsonBodies#requiredText}). */
  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequest(field + " is required");
    }
    return value;
  }

  /**
   * {@link JsonBodies#optionalLong} for a field bound as a {@link JsonNode}: a whole number,
   * also as a whole float ({@code 300.0}), or null; the same checks and the same message.
   */
  static Long wholeNumber(JsonNode value, String field) {
    return JsonBodies.wholeNumber(value, field);
  }

  /**
   * A field bound as a {@link JsonNode}, alone in an object again, for the shared helpers
   * that read a field of an object ({@link JsonBodies#optionalLong},
   * {@link Questions#options}); they then check it and word their messages exactly as they
   * do for every other door.
   */
  private static ObjectNode alone(String field, JsonNode value) {
    ObjectNode one = JsonNodeFactory.instance.objectNode();
    one.set(field, value);
    return one;
  }
}
