package dev.interlock.server.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.http.ClientDisconnects;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import dev.interlock.server.metrics.InterlockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Interlock's tools into the SDK's tool specifications: finds the caller, checks the
 * tool's scope, runs the handler and renders what it returns as text content (and as
 * {@code structuredContent} when it is an object). Domain failures become results with
 * {@code isError: true} carrying their message; anything else is logged with an id that
 * the result names, never with its stack trace or message shown to the client.
 */
final class McpToolSpecs {

  private static final Logger log = LoggerFactory.getLogger(McpToolSpecs.class);

  private final ObjectMapper json;
  private final Function<McpSyncServerExchange, Caller> callers;
  private final ClientDisconnects disconnects;
  private final InterlockMetrics metrics;

  /**
   * {@code callers} finds who makes a call (for HTTP, from the transport context);
   * {@code disconnects} tells a waiting call that its client hung up.
   */
  McpToolSpecs(ObjectMapper json, Function<McpSyncServerExchange, Caller> callers,
      ClientDisconnects disconnects, InterlockMetrics metrics) {
    this.metrics = metrics;
    this.json = json;
    this.callers = callers;
    this.disconnects = disconnects;
  }

  List<SyncToolSpecification> specs(List<McpTool> tools) {
    return tools.stream().map(this::spec).toList();
  }

  McpSchema.Tool describe(McpTool tool) {
    return McpSchema.Tool.builder()
        .name(tool.name())
        .description(tool.description())
        .inputSchema(map(tool.inputSchema()))
        .annotations(new McpSchema.ToolAnnotations(null, tool.readOnly(), null, null, false,
            null))
        .build();
  }

  private SyncToolSpecification spec(McpTool tool) {
    return SyncToolSpecification.builder()
        .tool(describe(tool))
        .callHandler((exchange, request) -> call(tool, exchange, request))
        .build();
  }

  CallToolResult call(McpTool tool, McpSyncServerExchange exchange, CallToolRequest request) {
    String[] result = {"failed"};
    try {
      return call(tool, exchange, request, result);
    } finally {
      metrics.mcpToolCall(tool.name(), result[0]);
    }
  }

  /** {@code result[0]} is set to how the call ended: ok, error, denied or failed. */
  private CallToolResult call(McpTool tool, McpSyncServerExchange exchange,
      CallToolRequest request, String[] result) {
    Caller caller = callers.apply(exchange);
    if (caller == null) {
      result[0] = "denied";
      return error("Not authenticated");
    }
    if (!caller.hasScope(tool.scope())) {
      log.warn("MCP {}: key lacks scope {}", tool.name(), tool.scope());
      result[0] = "denied";
      return error("This key lacks the scope " + tool.scope() + " that " + tool.name()
          + " needs");
    }
    ObjectNode arguments = request.arguments() == null
        ? json.createObjectNode() : json.valueToTree(request.arguments());
    if (JsonBodies.holdsNul(arguments)) {
      // PostgreSQL stores NUL in neither text nor jsonb; refused as REST refuses it.
      log.warn("MCP {}: NUL character in the arguments", tool.name());
      result[0] = "error";
      return error("Arguments must not contain the NUL character (\\u0000)");
    }
    try (ExchangeToolCall call = new ExchangeToolCall(exchange, request, disconnects)) {
      JsonNode out = tool.handler().call(caller, arguments, call);
      CallToolResult answer = success(out, tool.structured());
      result[0] = "ok";
      return answer;
    } catch (InterlockException e) {
      if (e.status() >= 500) {
        log.error("MCP {}: {}", tool.name(), e.getMessage());
      } else {
        log.warn("MCP {}: {}", tool.name(), e.getMessage());
        result[0] = "error";
      }
      return error(e.getMessage());
    } catch (RuntimeException e) {
      String id = UUID.randomUUID().toString();
      log.error("MCP {} failed [log id {}]", tool.name(), id, e);
      return error("Internal server error (log id " + id + ")");
    }
  }

  private CallToolResult success(JsonNode out, boolean structured) {
    CallToolResult.Builder result = CallToolResult.builder().isError(false);
    try {
      // A tool that answers in words (a JSON string) is shown as those words.
      result.addTextContent(out.isTextual() ? out.asText() : json.writeValueAsString(out));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (structured && out.isObject()) {
      result.structuredContent(map(out));
    }
    return result.build();
  }

  static CallToolResult error(String message) {
    return CallToolResult.builder().isError(true).addTextContent(message).build();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> map(JsonNode node) {
    return json.convertValue(node, Map.class);
  }
}
