package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.IsoTimes;
import dev.interlock.model.engine.IssueRow;
import java.time.Instant;
import java.util.List;

/**
 * Loop's objects as its API shows them (camelCase; every field of the document's schema is
 * present, null when unset), and its envelopes: {@code {data}} and {@code {data, total}}.
 */
final class LoopViews {

  private final ObjectMapper json;

  LoopViews(ObjectMapper json) {
    this.json = json;
  }

  ObjectMapper json() {
    return json;
  }

  /** {@code {"data": item}}. */
  ObjectNode data(JsonNode item) {
    ObjectNode out = json.createObjectNode();
    out.set("data", item);
    return out;
  }

  /** {@code {"data": [items], "total": n}}. */
  ObjectNode list(List<? extends JsonNode> items, long total) {
    ObjectNode out = json.createObjectNode();
    ArrayNode data = out.putArray("data");
    items.forEach(data::add);
    out.put("total", total);
    return out;
  }

  /** An issue (Loop's {@code Issue} schema, plus Interlock's {@code requiresApproval}). */
  ObjectNode issue(IssueRow i) {
    ObjectNode o = json.createObjectNode();
    o.put("id", i.id());
    o.put("number", i.number());
    o.put("title", i.title());
    o.put("description", i.description());
    o.put("type", i.type());
    o.put("status", i.status());
    o.put("priority", i.priority());
    o.put("parentId", i.parentId());
    o.put("projectId", i.projectId());
    o.put("signalSource", i.signalSource());
    o.set("signalPayload", orNull(i.signalPayload()));
    o.set("hypothesis", orNull(i.hypothesis()));
    o.put("agentSessionId", i.agentSessionId());
    o.put("agentSummary", i.agentSummary());
    o.set("commits", orNull(i.commits()));
    o.set("pullRequests", orNull(i.pullRequests()));
    o.put("requiresApproval", i.requiresApproval());
    o.put("completedAt", time(i.completedAt()));
    o.put("createdAt", time(i.createdAt()));
    o.put("updatedAt", time(i.updatedAt()));
    o.put("deletedAt", time(i.deletedAt()));
    return o;
  }

  JsonNode orNull(JsonNode n) {
    return n == null || n.isMissingNode() ? json.nullNode() : n;
  }

  static String time(Instant t) {
    return t == null ? null : IsoTimes.format(t);
  }
}
