package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocking tools end to end: {@code approval_prompt} answers Claude Code's permission
 * prompt contract once a person decides through another door; {@code ask_human} returns the
 * answer; progress arrives while they wait; the wait ends at the configured maximum; and a
 * client that hangs up leaves the interrupt pending. The progress interval is 1 s and the
 * longest wait 6 s here, so that every case runs in seconds.
 */
class McpBlockingTest {

  static final Duration MAX_WAIT = Duration.ofSeconds(6);

  @TempDir static Path data;
  static TestApp app;
  static McpSyncClient client;
  static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("mcp.progressInterval", "1s"),
        ConfigOverride.config("mcp.maxBlockingWait", MAX_WAIT.toSeconds() + "s")).start();
    client = McpClients.connect(app, ADMIN_KEY, progress::add);
  }

  @AfterAll
  static void stop() {
    client.closeGracefully();
    app.close();
  }

  /** Calls a tool on another thread, as an agent blocked on it would. */
  static CompletableFuture<CallToolResult> callAsync(String tool, Map<String, Object> args,
      String progressToken) {
    return CompletableFuture.supplyAsync(() -> client.callTool(McpSchema.CallToolRequest
        .builder().name(tool).arguments(args).progressToken(progressToken).build()));
  }

  /** The pending interrupt a blocking call made for a unique action, via AgentGate's list. */
  static String pendingFor(String action) {
    String[] id = new String[1];
    assertThat(eventually(Duration.ofSeconds(20), () -> {
      JsonNode list = app.get("/api/requests?status=pending&action=" + action, ADMIN_KEY).body()
          .path("requests");
      if (list.size() == 1) {
        id[0] = list.get(0).path("id").asText();
        return true;
      }
      return false;
    })).as("interrupt for " + action).isTrue();
    return id[0];
  }

  static JsonNode behavior(CompletableFuture<CallToolResult> call) throws Exception {
    CallToolResult result = call.get(60, TimeUnit.SECONDS);
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(result.content()).hasSize(1);
    assertThat(result.content().get(0)).isInstanceOf(McpSchema.TextContent.class);
    assertThat(result.structuredContent()).isNull();
    return ok(result);
  }

  @Test
  void givenApprovalPrompt_whenAPersonApproves_thenAllowWithTheOriginalInput() throws Exception {
    String tool = "Bash_" + System.nanoTime();
    Map<String, Object> input = Map.of("command", "rm -rf build", "description", "clean");
    var call = callAsync("approval_prompt",
        Map.of("tool_name", tool, "input", input, "tool_use_id", "toolu_" + tool), null);
    String id = pendingFor(tool);
    JsonNode asLoopin = app.get("/interrupts/" + id, ADMIN_KEY).body();
    assertThat(asLoopin.path("context").path("tool_name").asText()).isEqualTo(tool);
    assertThat(app.get("/api/requests/" + id, ADMIN_KEY).body().path("params").path("command")
        .asText()).isEqualTo("rm -rf build");

    assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved")).status()).isEqualTo(200);
    JsonNode answer = behavior(call);
    assertThat(answer.path("behavior").asText()).isEqualTo("allow");
    assertThat(answer.path("updatedInput")).isEqualTo(TestApp.JSON.valueToTree(input));
    assertThat(answer.size()).isEqualTo(2);
  }

  @Test
  void givenApprovalPrompt_whenAPersonEditsTheInput_thenAllowWithTheEditedInput()
      throws Exception {
    String tool = "Write_" + System.nanoTime();
    var call = callAsync("approval_prompt",
        Map.of("tool_name", tool, "input", Map.of("path", "/etc/passwd", "content", "x")), null);
    String id = pendingFor(tool);
    app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved",
        "modifiedParams", Map.of("path", "/tmp/passwd", "content", "x")));
    JsonNode answer = behavior(call);
    assertThat(answer.path("behavior").asText()).isEqualTo("allow");
    assertThat(answer.path("updatedInput").path("path").asText()).isEqualTo("/tmp/passwd");
  }

  @Test
  void givenApprovalPrompt_whenAPersonDenies_thenDenyWithTheReason() throws Exception {
    String tool = "WebFetch_" + System.nanoTime();
    var call = callAsync("approval_prompt", Map.of("tool_name", tool, "input", Map.of()), null);
    String id = pendingFor(tool);
    app.post("/api/requests/" + id + "/decide", ADMIN_KEY, Map.of("decision", "denied",
        "reason", "not that site", "decidedBy", "alice"));
    JsonNode answer = behavior(call);
    assertThat(answer.path("behavior").asText()).isEqualTo("deny");
    assertThat(answer.path("message").asText()).isEqualTo("Denied in Interlock by alice: not that site");
    assertThat(answer.size()).isEqualTo(2);
  }

  @Test
  void givenApprovalPrompt_whenNobodyDecides_thenItExpiresAndTheAnswerIsDeny() throws Exception {
    String tool = "Edit_" + System.nanoTime();
    long started = System.nanoTime();
    JsonNode answer = behavior(callAsync("approval_prompt",
        Map.of("tool_name", tool, "input", Map.of("file", "a")), null));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(MAX_WAIT.minusMillis(500));
    assertThat(answer.path("behavior").asText()).isEqualTo("deny");
    assertThat(answer.path("message").asText()).contains("expired");
    String id = app.get("/api/requests?status=expired&action=" + tool, ADMIN_KEY).body()
        .path("requests").get(0).path("id").asText();
    assertThat(answer.path("message").asText()).contains(id);
  }

  @Test
  void givenApprovalPrompt_whenAPolicyApproves_thenAllowAtOnce() throws Exception {
    String tool = "Read_" + System.nanoTime();
    Resp policy = app.post("/api/policies", ADMIN_KEY, Map.of("name", "reads", "rules",
        List.of(Map.of("match", Map.of("action", tool), "decision", "auto_approve"))));
    try {
      JsonNode answer = behavior(callAsync("approval_prompt",
          Map.of("tool_name", tool, "input", Map.of("file_path", "README.md")), null));
      assertThat(answer.path("behavior").asText()).isEqualTo("allow");
      assertThat(answer.path("updatedInput").path("file_path").asText()).isEqualTo("README.md");
    } finally {
      app.delete("/api/policies/" + policy.text("id"), ADMIN_KEY);
    }
  }

  @Test
  void givenAskHumanWithOptions_whenAPersonPicksOne_thenTheAnswerWithProgressMeanwhile()
      throws Exception {
    String question = "Which region? " + System.nanoTime();
    String token = "progress-" + System.nanoTime();
    var call = callAsync("ask_human", Map.of("question", question,
        "options", List.of("eu-west-1", "us-east-1"), "urgency", "high",
        "context", Map.of("service", "billing")), token);
    String id = pendingFor(question.replace(" ", "%20").replace("?", "%3F"));
    JsonNode asLoopgate = app.get("/hitl/pending", ADMIN_KEY).body().path("pending_requests");
    JsonNode mine = null;
    for (JsonNode r : asLoopgate) {
      if (r.path("id").asText().equals(id)) {
        mine = r;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.path("request_type").asText()).isEqualTo("choice");
    assertThat(mine.path("options").toString()).isEqualTo("[\"eu-west-1\",\"us-east-1\"]");

    Thread.sleep(2_500); // the person takes a while: progress must flow meanwhile
    assertThat(app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id,
        "response", "eu-west-1")).status()).isEqualTo(200);
    JsonNode answer = ok(call.get(60, TimeUnit.SECONDS));
    assertThat(answer.path("status").asText()).isEqualTo("approved");
    assertThat(answer.path("answer").asText()).isEqualTo("eu-west-1");
    assertThat(answer.path("approved").asBoolean()).isTrue();
    assertThat(answer.path("interruptId").asText()).isEqualTo(id);

    List<McpSchema.ProgressNotification> mine2 = progress.stream()
        .filter(p -> token.equals(p.progressToken())).toList();
    assertThat(mine2.size()).as("progress during a 2.5 s wait at 1 s intervals")
        .isGreaterThanOrEqualTo(3);
    assertThat(mine2.get(0).message()).contains(id).contains("http://interlock.test/review/" + id);
    assertThat(mine2).extracting(McpSchema.ProgressNotification::progress).isSorted();
  }

  @Test
  void givenAskHuman_whenNobodyAnswersWithinTheMaximum_thenStillPendingWithItsId()
      throws Exception {
    String question = "Anyone-" + System.nanoTime();
    JsonNode answer = ok(callAsync("ask_human", Map.of("question", question), null)
        .get(60, TimeUnit.SECONDS));
    assertThat(answer.path("status").asText()).isEqualTo("pending");
    assertThat(answer.path("approved").asBoolean()).isFalse();
    assertThat(answer.path("answer").isNull()).isTrue();
    String id = answer.path("interruptId").asText();
    assertThat(answer.path("message").asText()).contains(id).contains("get_interrupt_status");
    // The question stays open: the agent can look again, and a person can still answer.
    assertThat(ok(call(client, "get_interrupt_status", Map.of("interruptId", id))).path("status")
        .asText()).isEqualTo("pending");
    assertThat(app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id, "response", "later"))
        .status()).isEqualTo(200);
  }

  @Test
  void givenAskHuman_whenCancelled_thenTheAnswerSaysSo() throws Exception {
    String question = "Cancel-me-" + System.nanoTime();
    var call = callAsync("ask_human", Map.of("question", question), null);
    String id = pendingFor(question);
    app.delete("/interrupts/" + id, ADMIN_KEY);
    JsonNode answer = ok(call.get(60, TimeUnit.SECONDS));
    assertThat(answer.path("status").asText()).isEqualTo("cancelled");
    assertThat(answer.path("approved").asBoolean()).isFalse();
  }

  @Test
  void givenBadBlockingInput_thenErrorResults() {
    assertThat(error(call(client, "approval_prompt", Map.of("tool_name", "Bash"))))
        .isEqualTo("input is required");
    assertThat(error(call(client, "ask_human", Map.of("question", "?", "options", "no"))))
        .isEqualTo("options must be an array of strings");
    assertThat(error(call(client, "ask_human", Map.of("question", "?", "timeout_seconds", -1))))
        .contains("positive");
  }

  /**
   * A raw Streamable HTTP client asks, reads the first progress event, and hangs up. The
   * interrupt stays pending (a person can still decide it), and the server stops waiting.
   */
  @Test
  void givenAClientThatHangsUp_whenItWasWaiting_thenTheInterruptStaysPending() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> init = http.send(mcpPost(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"hang-up","version":"1"}}}"""),
        HttpResponse.BodyHandlers.ofString());
    assertThat(init.statusCode()).isEqualTo(200);
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    http.send(mcpPost(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
        HttpResponse.BodyHandlers.discarding());

    String question = "Hang-up-" + System.nanoTime();
    HttpResponse<InputStream> stream = http.send(mcpPost(session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"ask_human",
         "arguments":{"question":"%s"},"_meta":{"progressToken":"t1"}}}""".formatted(question)),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    BufferedReader events = new BufferedReader(
        new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
    String line;
    while ((line = events.readLine()) != null && !line.contains("notifications/progress")) {
      // skip to the first progress event
    }
    assertThat(line).contains("Waiting for a person");
    String id = pendingFor(question);
    stream.body().close(); // the agent hangs up

    Thread.sleep(4_000); // several progress intervals: the server notices and stops waiting
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");
    Resp decided = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(decided.status()).isEqualTo(200);
  }

  private static HttpRequest mcpPost(String session, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.base() + "/mcp"))
        .header("X-API-Key", ADMIN_KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return b.build();
  }
}
