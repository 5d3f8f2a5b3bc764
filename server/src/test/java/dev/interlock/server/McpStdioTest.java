package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.mcp.McpStdioBridge;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stdio bridge of {@code mcp-stdio}, in process: JSON-RPC lines in, as a desktop client
 * writes them; every line out is a JSON-RPC message; tools are the server's, called there.
 */
class McpStdioTest {

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void givenTheBridge_whenADesktopClientTalksOnStdio_thenToolsRunOnTheServer() throws Exception {
    PipedOutputStream clientOut = new PipedOutputStream();
    PipedInputStream bridgeIn = new PipedInputStream(clientOut, 1 << 16);
    PipedInputStream clientIn = new PipedInputStream(1 << 16);
    PipedOutputStream bridgeOut = new PipedOutputStream(clientIn);
    CompletableFuture<Void> bridge = CompletableFuture.runAsync(() -> {
      try {
        new McpStdioBridge(app.base(), ADMIN_KEY).run(bridgeIn, bridgeOut);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    BufferedReader lines = new BufferedReader(new InputStreamReader(clientIn, StandardCharsets.UTF_8));

    send(clientOut, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
        "capabilities":{},"clientInfo":{"name":"claude-desktop-test","version":"1"}}}""");
    JsonNode init = read(lines);
    assertThat(init.path("id").asInt()).isEqualTo(1);
    assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("interlock");
    send(clientOut, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

    send(clientOut, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
    JsonNode tools = read(lines);
    assertThat(tools.path("result").path("tools").findValuesAsText("name"))
        .contains("approval_prompt", "ask_human", "create_interrupt", "agentgate_request");

    send(clientOut, """
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_interrupt",\
        "arguments":{"agentId":"desk","userId":"u-stdio","action":"open_pr","context":{}}}}""");
    JsonNode created = read(lines);
    assertThat(created.path("result").path("isError").asBoolean()).isFalse();
    String id = TestApp.JSON.readTree(created.path("result").path("content").get(0)
        .path("text").asText()).path("interruptId").asText();
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("action")).isEqualTo("open_pr");

    send(clientOut, """
        {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"decide_interrupt",\
        "arguments":{"interruptId":"%s","decision":"nope"}}}""".formatted(id));
    JsonNode refused = read(lines);
    assertThat(refused.path("result").path("isError").asBoolean()).isTrue();
    assertThat(refused.path("result").path("content").get(0).path("text").asText())
        .isEqualTo("decision must be approved or rejected");

    clientOut.close(); // the desktop client quits
    bridge.get(30, TimeUnit.SECONDS);
  }

  private static void send(OutputStream out, String message) throws Exception {
    out.write((message.replace("\n", "") + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The next line, which must be a JSON-RPC message (nothing else may reach stdout). */
  private static JsonNode read(BufferedReader lines) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return lines.readLine();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(30, TimeUnit.SECONDS);
    JsonNode message = TestApp.JSON.readTree(line);
    assertThat(message.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
    return message;
  }
}
