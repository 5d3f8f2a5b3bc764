package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.HitlSessionRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.dialect.loopgate.LoopgateStatus;
import dev.interlock.server.wire.WhatIsAsked;
import java.util.List;

/** Renders core interrupts and sessions in Loopgate's words (snake_case, its statuses). */
public final class LoopgateViews {

  private final ObjectMapper json;

  public LoopgateViews(ObjectMapper json) {
    this.json = json;
  }

  /** The request type of any interrupt: stored for Loopgate requests, derived otherwise. */
  public static String requestType(InterruptRow row) {
    if (row.requestType() != null) {
      return row.requestType();
    }
    return row.options() != null && row.options().size() > 0 ? "choice" : "confirmation";
  }

  /** The answer as Loopgate reports it: the person's words, else the bare decision. */
  public static String response(InterruptRow row) {
    return row.response() != null ? row.response() : row.decision();
  }

  public ObjectNode created(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("success", true);
    n.put("request_id", row.id());
    n.put("status", LoopgateStatus.of(row.status()));
    n.put("created_at", IsoTimes.format(row.createdAt()));
    return n;
  }

  public ObjectNode poll(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("request_id", row.id());
    n.put("status", LoopgateStatus.of(row.status()));
    String response = response(row);
    if (response != null) {
      n.put("response", response);
    }
    n.put("approved", "approved".equals(row.decision()));
    n.put("completed", !row.isPending());
    return n;
  }

  /** The full request, as in Loopgate's pending list. */
  public ObjectNode request(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("id", row.id());
    n.put("session_id", row.sessionId() != null ? row.sessionId() : row.userId());
    n.put("client_id", row.agentId());
    // The message names what is asked; a tool call's input (params) follows it, so a reviewer
    // reading only the message sees what they approve. metadata carries the params too.
    String params = WhatIsAsked.paramsText(row);
    n.put("message", params == null ? row.action() : row.action() + " " + params);
    n.put("request_type", requestType(row));
    if (row.options() != null) {
      n.set("options", row.options());
    }
    // Expiry is computed a moment before the row's creation time: round, do not truncate.
    n.put("timeout_seconds", Math.max(0,
        Math.round(java.time.Duration.between(row.createdAt(), row.expiresAt()).toMillis() / 1000.0)));
    if (row.callbackUrl() != null) {
      n.put("callback_url", row.callbackUrl());
    }
    JsonNode metadata = WhatIsAsked.contextWithParts(row, false);
    if (metadata != null && metadata.size() > 0) {
      n.set("metadata", metadata);
    }
    n.put("status", LoopgateStatus.of(row.status()));
    String response = response(row);
    if (response != null) {
      n.put("response", response);
    }
    n.put("approved", "approved".equals(row.decision()));
    n.put("created_at", IsoTimes.format(row.createdAt()));
    if (row.decidedAt() != null) {
      n.put("responded_at", IsoTimes.format(row.decidedAt()));
    }
    return n;
  }

  public ObjectNode pending(List<InterruptRow> rows) {
    ObjectNode n = json.createObjectNode();
    ArrayNode list = n.putArray("pending_requests");
    rows.forEach(r -> list.add(request(r)));
    n.put("count", rows.size());
    return n;
  }

  public ObjectNode session(HitlSessionRow s) {
    ObjectNode n = json.createObjectNode();
    n.put("id", s.sessionId());
    n.put("client_id", s.clientId());
    if (s.telegramId() != null) {
      n.put("telegram_id", s.telegramId());
    } else {
      n.put("telegram_id", 0);
    }
    n.put("active", s.active());
    n.put("created_at", IsoTimes.format(s.createdAt()));
    return n;
  }

  public ObjectNode ok(String message) {
    ObjectNode n = json.createObjectNode();
    n.put("success", true);
    n.put("message", message);
    return n;
  }
}
