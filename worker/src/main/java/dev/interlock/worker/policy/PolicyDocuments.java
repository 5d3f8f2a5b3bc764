package dev.interlock.worker.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;

/** The document policies match against: {@code {action, urgency, params, context}}. */
public final class PolicyDocuments {

  private PolicyDocuments() {}

  public static ObjectNode of(ObjectMapper json, InterruptRow row) {
    return of(json, row.action(), row.urgency(), row.params(), row.context());
  }

  public static ObjectNode of(ObjectMapper json, String action, String urgency,
      com.fasterxml.jackson.databind.JsonNode params, com.fasterxml.jackson.databind.JsonNode context) {
    ObjectNode doc = json.createObjectNode();
    doc.put("action", action);
    doc.put("urgency", urgency);
    doc.set("params", params == null ? json.createObjectNode() : params);
    doc.set("context", context == null ? json.createObjectNode() : context);
    return doc;
  }
}
