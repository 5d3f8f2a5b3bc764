package dev.interlock.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.store.InterruptRow;

/** The body POSTed to an interrupt's callback URL, in the words of the dialect that created it. */
public final class CallbackPayloads {

  private final ObjectMapper json;

  public CallbackPayloads(ObjectMapper json) {
    this.json = json;
  }

  /** In the words of the dialect that created the interrupt. */
  public String render(InterruptRow row) {
    ObjectNode body = "loopgate".equals(row.source()) ? loopgate(row) : loopin(row);
    try {
      return json.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalStateException("could not render callback body", e);
    }
  }

  /**
   * Loopgate: {@code {request_id, status, response, approved, completed, timestamp}} with
   * Loopgate's statuses (completed, timeout, canceled).
   */
  private ObjectNode loopgate(InterruptRow row) {
    ObjectNode body = json.createObjectNode();
    body.put("request_id", row.id());
    body.put("status", LoopgateStatus.of(row.status()));
    body.put("response", row.response() != null ? row.response() : row.decision());
    body.put("approved", "approved".equals(row.decision()));
    body.put("completed", !"pending".equals(row.status()));
    body.put("timestamp", IsoTimes.format(row.decidedAt()));
    return body;
  }

  /** LoopIn: {@code {interruptId, status, decision, decidedAt, reason, modifiedParams}}. */
  private ObjectNode loopin(InterruptRow row) {
    ObjectNode body = json.createObjectNode();
    body.put("interruptId", row.id());
    body.put("status", row.status());
    body.put("decision", row.decision());
    body.put("decidedAt", IsoTimes.format(row.decidedAt()));
    body.put("reason", row.reason());
    body.set("modifiedParams", row.modifiedParams());
    return body;
  }
}
