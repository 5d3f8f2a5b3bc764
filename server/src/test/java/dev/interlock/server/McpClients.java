package dev.interlock.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** MCP Java SDK clients over Streamable HTTP against a {@link TestApp}, and result helpers. */
final class McpClients {

  private McpClients() {}

  static McpSyncClient connect(TestApp app, String key) {
    return connect(app, key, n -> {});
  }

  static McpSyncClient connect(TestApp app, String key,
      Consumer<McpSchema.ProgressNotification> progress) {
    HttpRequest.Builder requests = HttpRequest.newBuilder();
    if (key != null) {
      requests.header("X-API-Key", key);
    }
    var transport = HttpClientStreamableHttpTransport.builder(app.base())
        .endpoint("/mcp")
        .requestBuilder(requests)
        .build();
    McpSyncClient client = McpClient.sync(transport)
        .clientInfo(new McpSchema.Implementation("interlock-test-agent", "1.0"))
        .requestTimeout(Duration.ofSeconds(60))
        .progressConsumer(progress)
        .build();
    client.initialize();
    return client;
  }

  static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
    return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
  }

  /** The single text content of a result. */
  static String text(CallToolResult result) {
    assert result.content().size() == 1 : result;
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  /** The text content of a successful result, parsed as JSON. */
  static JsonNode ok(CallToolResult result) {
    if (Boolean.TRUE.equals(result.isError())) {
      throw new AssertionError("tool failed: " + text(result));
    }
    try {
      return TestApp.JSON.readTree(text(result));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The message of a failed result. */
  static String error(CallToolResult result) {
    if (!Boolean.TRUE.equals(result.isError())) {
      throw new AssertionError("tool did not fail: " + text(result));
    }
    return text(result);
  }
}
