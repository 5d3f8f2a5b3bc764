package dev.interlock.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Renderings as a dialect would hand them to the worker: the worker's tests check that what
 * is rendered is what is signed, sent and recorded, not any dialect's shape (the server's
 * dialect tests hold those).
 */
final class TestRenderings implements Renderings {

  static final TestRenderings INSTANCE = new TestRenderings();

  @Override
  public String callbackBody(InterruptRow row) {
    ObjectNode body = Interrupts.JSON.createObjectNode();
    body.put("interruptId", row.id());
    body.put("status", row.status());
    body.put("decision", row.decision());
    body.put("decidedAt", time(row.decidedAt()));
    body.put("reason", row.reason());
    body.set("modifiedParams", row.modifiedParams());
    return body.toString();
  }

  @Override
  public JsonNode webhookPayload(String event, InterruptRow row, Instant at) {
    ObjectNode payload = Interrupts.JSON.createObjectNode();
    payload.put("event", event);
    payload.putObject("data").putObject("request").put("id", row.id())
        .put("status", row.status());
    payload.put("timestamp", time(at));
    return payload;
  }

  private static String time(Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
