package dev.interlock.server.dialect;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.errors.ErrorShape;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.wire.Outcome;
import dev.interlock.worker.Renderings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The dialects this server speaks, as one: their error shapes, their MCP tools, and the
 * renderings the worker sends (callback bodies, webhook payloads), each from the dialect
 * that owns it, else the core's.
 */
public final class Dialects implements Renderings {

  private final List<Dialect> dialects;
  private final ObjectMapper json;

  public Dialects(List<Dialect> dialects, ObjectMapper json) {
    this.dialects = List.copyOf(dialects);
    this.json = json;
  }

  /** Every dialect's error shape, in registration order. */
  public List<ErrorShape> errorShapes() {
    return dialects.stream().map(Dialect::errorShape).filter(Objects::nonNull).toList();
  }

  /** Registers every dialect; returns their MCP tools in registration order. */
  public List<McpTool> install(DialectContext context) {
    List<McpTool> tools = new ArrayList<>();
    for (Dialect dialect : dialects) {
      tools.addAll(dialect.install(context));
    }
    return List.copyOf(tools);
  }

  @Override
  public String callbackBody(InterruptRow row) {
    Object body = null;
    for (Dialect dialect : dialects) {
      body = dialect.callbackBody(row);
      if (body != null) {
        break;
      }
    }
    try {
      return json.writeValueAsString(body != null ? body : Outcome.of(row));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not render the callback body of " + row.id(), e);
    }
  }

  @Override
  public JsonNode webhookPayload(String event, InterruptRow row, Instant at) {
    for (Dialect dialect : dialects) {
      JsonNode payload = dialect.webhookPayload(event, row, at);
      if (payload != null) {
        return payload;
      }
    }
    // No dialect with webhooks: the event and the core's outcome.
    return json.valueToTree(new CorePayload(event, new CorePayload.Data(Outcome.of(row)),
        IsoTimes.format(at)));
  }

  /** A webhook payload when no dialect has a shape for it: {@code {event, data, timestamp}}. */
  @JsonPropertyOrder({"event", "data", "timestamp"})
  record CorePayload(String event, Data data, String timestamp) {
    record Data(Outcome request) {}
  }
}
