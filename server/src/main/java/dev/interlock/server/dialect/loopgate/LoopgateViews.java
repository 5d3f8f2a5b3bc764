package dev.interlock.server.dialect.loopgate;

import dev.interlock.server.wire.Quorum;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.HitlSessionRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.wire.Questions;
import dev.interlock.server.wire.WhatIsAsked;
import java.time.Duration;
import java.util.List;

/**
 * Core interrupts and sessions in Loopgate's words (snake_case, its statuses): one record
 * per response shape, each made in one place ({@code of}). A field marked
 * {@code NON_NULL} is left out when it has no value, as Loopgate does; every other field is
 * always there, null or not.
 */
public final class LoopgateViews {

  private LoopgateViews() {}

  /** The request type of any interrupt: stored for Loopgate requests, derived otherwise. */
  public static String requestType(InterruptRow row) {
    if (row.requestType() != null) {
      return row.requestType();
    }
    return row.options() != null && row.options().size() > 0 ? "choice" : "confirmation";
  }

  /** {@code POST /hitl/request}: the new request's id and status. */
  @JsonPropertyOrder({"success", "request_id", "status", "created_at"})
  public record Created(
      boolean success,
      @JsonProperty("request_id") String requestId,
      String status,
      @JsonProperty("created_at") String createdAt) {

    static Created of(InterruptRow row) {
      return new Created(true, row.id(), LoopgateStatus.of(row.status()),
          IsoTimes.format(row.createdAt()));
    }
  }

  /** {@code GET /hitl/poll}: where a request stands; {@code response} once there is one. */
  @JsonPropertyOrder({"request_id", "status", "response", "approved", "completed",
      "required_approvals", "approvals"})
  public record Poll(
      @JsonProperty("request_id") String requestId,
      String status,
      @JsonInclude(JsonInclude.Include.NON_NULL) String response,
      boolean approved,
      boolean completed,
      /* Interlock extension, only for a quorum: approvals needed and given so far. */
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("required_approvals")
      Integer requiredApprovals,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Quorum.ApprovalView> approvals) {

    static Poll of(InterruptRow row) {
      return new Poll(row.id(), LoopgateStatus.of(row.status()),
          Questions.answer(row), "approved".equals(row.decision()), !row.isPending(),
          Quorum.required(row), Quorum.approvals(row));
    }
  }

  /** {@code POST /hitl/respond}: the poll shape of the answered request, then success. */
  @JsonPropertyOrder({"poll", "success"})
  public record Answered(@JsonUnwrapped Poll poll, boolean success) {

    static Answered of(InterruptRow row) {
      return new Answered(Poll.of(row), true);
    }
  }

  /** A whole request, as in Loopgate's pending list. */
  @JsonPropertyOrder({"id", "session_id", "client_id", "message", "request_type", "options",
      "timeout_seconds", "callback_url", "metadata", "status", "response", "approved",
      "created_at", "responded_at"})
  public record RequestView(
      String id,
      @JsonProperty("session_id") String sessionId,
      @JsonProperty("client_id") String clientId,
      String message,
      @JsonProperty("request_type") String requestType,
      @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode options,
      @JsonProperty("timeout_seconds") long timeoutSeconds,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("callback_url") String callbackUrl,
      @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode metadata,
      String status,
      @JsonInclude(JsonInclude.Include.NON_NULL) String response,
      boolean approved,
      @JsonProperty("created_at") String createdAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("responded_at") String respondedAt) {

    static RequestView of(InterruptRow row) {
      // The message names what is asked; a tool call's input (params) follows it, so a
      // reviewer reading only the message sees what they approve. metadata carries the
      // params too.
      String params = WhatIsAsked.paramsText(row);
      JsonNode metadata = WhatIsAsked.contextWithParts(row, false);
      // Expiry is computed a moment before the row's creation time: round, do not truncate.
      long timeout = Math.max(0,
          Math.round(Duration.between(row.createdAt(), row.expiresAt()).toMillis() / 1000.0));
      return new RequestView(row.id(),
          row.sessionId() != null ? row.sessionId() : row.userId(),
          row.agentId(),
          params == null ? row.action() : row.action() + " " + params,
          LoopgateViews.requestType(row),
          row.options(),
          timeout,
          row.callbackUrl(),
          metadata != null && metadata.size() > 0 ? metadata : null,
          LoopgateStatus.of(row.status()),
          Questions.answer(row),
          "approved".equals(row.decision()),
          IsoTimes.format(row.createdAt()),
          IsoTimes.format(row.decidedAt()));
    }
  }

  /** {@code GET /hitl/pending}. */
  @JsonPropertyOrder({"pending_requests", "count"})
  public record Pending(
      @JsonProperty("pending_requests") List<RequestView> pendingRequests,
      int count) {

    static Pending of(List<InterruptRow> rows) {
      return new Pending(rows.stream().map(RequestView::of).toList(), rows.size());
    }
  }

  /** {@code GET /hitl/status}: a session; {@code telegram_id} is 0 when it has none. */
  @JsonPropertyOrder({"id", "client_id", "telegram_id", "active", "created_at"})
  public record Session(
      String id,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("telegram_id") long telegramId,
      boolean active,
      @JsonProperty("created_at") String createdAt) {

    static Session of(HitlSessionRow s) {
      return new Session(s.sessionId(), s.clientId(),
          s.telegramId() != null ? s.telegramId() : 0, s.active(), IsoTimes.format(s.createdAt()));
    }
  }

  /** {@code POST /hitl/register}: done, and the session's id. */
  @JsonPropertyOrder({"success", "message", "session_id"})
  public record Registered(
      boolean success,
      String message,
      @JsonProperty("session_id") String sessionId) {

    static Registered of(HitlSessionRow s) {
      return new Registered(true, "Session registered successfully", s.sessionId());
    }
  }

  /** Done, and what was done. */
  @JsonPropertyOrder({"success", "message"})
  public record Ok(boolean success, String message) {

    static Ok of(String message) {
      return new Ok(true, message);
    }
  }
}
