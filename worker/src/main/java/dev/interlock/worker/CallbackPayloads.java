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

  /** LoopIn: {@code {interruptId, status, decision, decidedAt, reason, modifiedParams}}. */
  public String render(InterruptRow row) {
    ObjectNode body = json.createObjectNode();
    body.put("interruptId", row.id());
    body.put("status", row.status());
    body.put("decision", row.decision());
    body.put("decidedAt", IsoTimes.format(row.decidedAt()));
    body.put("reason", row.reason());
    body.set("modifiedParams", row.modifiedParams());
    try {
      return json.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalStateException("could not render callback body", e);
    }
  }
}
