package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;

/**
 * One MCP tool as Interlock defines it, independent of the SDK: what it is called, what it
 * does, the JSON Schema of its arguments, the scope a key needs to call it, and the handler.
 * The MCP server and the REST listing at {@code GET /mcp/tools} are built from the same
 * list of these.
 *
 * @param readOnly whether the tool only reads (announced to clients as a hint)
 * @param structured whether an object result is also sent as {@code structuredContent};
 *     {@code approval_prompt} sends exactly one text content, as Claude Code expects
 */
public record McpTool(String name, String description, ObjectNode inputSchema, String scope,
    boolean readOnly, boolean structured, Handler handler) {

  /**
   * Does the work: parses {@code arguments}, calls one service method as {@code caller}
   * and returns the same JSON the matching REST call returns. Domain failures are thrown
   * as {@code InterlockException}s and become tool results with {@code isError: true}.
   */
  @FunctionalInterface
  public interface Handler {
    JsonNode call(Caller caller, ObjectNode arguments, ToolCall call);
  }

  public static McpTool reading(String name, String description, ObjectNode schema, String scope,
      Handler handler) {
    return new McpTool(name, description, schema, scope, true, true, handler);
  }

  public static McpTool writing(String name, String description, ObjectNode schema, String scope,
      Handler handler) {
    return new McpTool(name, description, schema, scope, false, true, handler);
  }
}
