package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.mcp.McpStdioBridge;
import io.dropwizard.testing.ConfigOverride;
import java.util.Map;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
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
    app = new TestApp(data, ConfigOverride.config("mcp.progressInterval", "1s")).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void givenTheBridge_whenADesktopClientTalksOnStdio_thenToolsRunOnTheServer() throws Exception {
    // NIO pipes, not java.io's piped streams, which fail once the thread that last wrote
    // has ended (the SDK writes from pooled threads).
    Pipe toBridge = Pipe.open();
    Pipe fromBridge = Pipe.open();
    OutputStream clientOut = Channels.newOutputStream(toBridge.sink());
    InputStream bridgeIn = Channels.newInputStream(toBridge.source());
    InputStream clientIn = Channels.newInputStream(fromBridge.source());
    OutputStream bridgeOut = Channels.newOutputStream(fromBridge.sink());
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

    // A blocking tool through the bridge: progress is relayed, then the answer arrives.
    String question = "Ship it? " + System.nanoTime();
    send(clientOut, """
        {"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"ask_human",\
        "arguments":{"question":"%s"},"_meta":{"progressToken":"desk-1"}}}""".formatted(question));
    JsonNode first = read(lines);
    assertThat(first.path("method").asText()).isEqualTo("notifications/progress");
    assertThat(first.path("params").path("progressToken").asText()).isEqualTo("desk-1");
    String asked = first.path("params").path("message").asText();
    String questionId = asked.substring(asked.lastIndexOf("interrupt ") + 10, asked.length() - 1);
    assertThat(app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", questionId,
        "response", "yes, ship")).status()).isEqualTo(200);
    JsonNode answer;
    do {
      answer = read(lines); // more progress may come first
    } while (answer.has("method"));
    assertThat(answer.path("id").asInt()).isEqualTo(5);
    JsonNode answered = TestApp.JSON.readTree(answer.path("result").path("content").get(0)
        .path("text").asText());
    assertThat(answered.path("answer").asText()).isEqualTo("yes, ship");
    assertThat(answered.path("status").asText()).isEqualTo("approved");

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
