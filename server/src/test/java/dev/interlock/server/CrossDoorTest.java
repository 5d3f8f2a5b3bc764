package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One interrupt, every door: an interrupt created through each door (LoopIn, AgentGate,
 * Loopgate, MCP's approval_prompt) is read through every door (LoopIn's GET, AgentGate's
 * GET, Loopgate's pending list, the review page), and each shows what is asked completely:
 * the action, the context, the params a person approves and the options to choose from.
 */
class CrossDoorTest {

  @org.junit.jupiter.api.io.TempDir static Path data;
  static TestApp app;
  static McpSyncClient mcp;
  static CompletableFuture<McpSchema.CallToolResult> blockedPrompt;
  static final List<Asked> created = new ArrayList<>();

  /** What an interrupt asks, as its creator said it. */
  record Asked(String door, String id, String action, JsonNode context, JsonNode params,
      JsonNode options) {
    @Override
    public String toString() {
      return "created through " + door;
    }
  }

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    JsonNode loopinContext = json(Map.of("env", "prod", "service", "billing"));
    String loopin = app.post("/interrupts", ADMIN_KEY, TestApp.interrupt("u-cross", "deploy-billing",
        "context", loopinContext)).text("interruptId");
    created.add(new Asked("LoopIn", loopin, "deploy-billing", loopinContext, null, null));

    JsonNode agParams = json(Map.of("to", "customer@example.com", "subject", "Refund"));
    JsonNode agContext = json(Map.of("dealValue", 50000));
    String agentgate = app.post("/api/requests", ADMIN_KEY, Map.of("action", "send_email",
        "params", agParams, "context", agContext)).text("id");
    created.add(new Asked("AgentGate", agentgate, "send_email", agContext, agParams, null));

    app.post("/hitl/register", ADMIN_KEY, Map.of("session_id", "cross-s", "client_id", "cross-c"));
    JsonNode lgMetadata = json(Map.of("ticket", "OPS-7"));
    JsonNode lgOptions = json(List.of("Deploy", "Hold"));
    String loopgate = app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "cross-s",
        "client_id", "cross-c", "message", "Deploy v2?", "options", lgOptions,
        "metadata", lgMetadata)).text("request_id");
    created.add(new Asked("Loopgate", loopgate, "Deploy v2?", lgMetadata, null, lgOptions));

    mcp = McpClients.connect(app, ADMIN_KEY);
    String tool = "Bash_cross";
    JsonNode input = json(Map.of("command", "rm -rf build", "description", "clean the build"));
    blockedPrompt = CompletableFuture.supplyAsync(() -> mcp.callTool(new McpSchema.CallToolRequest(
        "approval_prompt", Map.of("tool_name", tool, "input", input, "tool_use_id", "toolu_cross"))));
    String[] id = new String[1];
    assertThat(eventually(Duration.ofSeconds(20), () -> (id[0] = app.jdbi().withHandle(h -> h
        .createQuery("select id from interrupts where action = :a").bind("a", tool)
        .mapTo(String.class).findOne().orElse(null))) != null)).isTrue();
    created.add(new Asked("MCP approval_prompt", id[0], tool,
        json(Map.of("tool_name", tool, "tool_use_id", "toolu_cross")), input, null));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Asked a : created) {
      app.delete("/interrupts/" + a.id(), ADMIN_KEY);
    }
    if (blockedPrompt != null) {
      blockedPrompt.get();
    }
    mcp.closeGracefully();
    app.close();
  }

  static Stream<Asked> interrupts() {
    return created.stream();
  }

  @ParameterizedTest(name = "{0}, read through LoopIn")
  @MethodSource("interrupts")
  void loopinShowsEverything(Asked asked) {
    JsonNode view = app.get("/interrupts/" + asked.id(), ADMIN_KEY).body();
    assertThat(view.path("action").asText()).isEqualTo(asked.action());
    JsonNode context = view.path("context");
    assertContains(context, asked.context());
    if (asked.params() != null) {
      assertThat(context.path("params")).isEqualTo(asked.params());
    }
    if (asked.options() != null) {
      assertThat(context.path("options")).isEqualTo(asked.options());
    }
  }

  @ParameterizedTest(name = "{0}, read through AgentGate")
  @MethodSource("interrupts")
  void agentGateShowsEverything(Asked asked) {
    JsonNode view = app.get("/api/requests/" + asked.id(), ADMIN_KEY).body();
    assertThat(view.path("action").asText()).isEqualTo(asked.action());
    assertContains(view.path("context"), asked.context());
    if (asked.params() != null) {
      assertThat(view.path("params")).isEqualTo(asked.params());
    }
    if (asked.options() != null) {
      assertThat(view.path("context").path("options")).isEqualTo(asked.options());
    }
  }

  @ParameterizedTest(name = "{0}, read through Loopgate")
  @MethodSource("interrupts")
  void loopgateShowsEverything(Asked asked) {
    JsonNode view = null;
    for (JsonNode r : app.get("/hitl/pending", ADMIN_KEY).body().path("pending_requests")) {
      if (r.path("id").asText().equals(asked.id())) {
        view = r;
      }
    }
    assertThat(view).as("in /hitl/pending").isNotNull();
    String message = view.path("message").asText();
    assertThat(message).startsWith(asked.action());
    JsonNode metadata = view.path("metadata");
    assertContains(metadata, asked.context());
    if (asked.params() != null) {
      assertThat(metadata.path("params")).isEqualTo(asked.params());
      asked.params().fields().forEachRemaining(f -> assertThat(message).contains(f.getValue().asText()));
    }
    if (asked.options() != null) {
      assertThat(view.path("options")).isEqualTo(asked.options());
    }
  }

  @ParameterizedTest(name = "{0}, read on the review page")
  @MethodSource("interrupts")
  void theReviewPageShowsEverything(Asked asked) {
    URI review = URI.create(app.get("/interrupts/" + asked.id(), ADMIN_KEY).text("reviewUrl"));
    String html = app.raw(app.builder(review.getRawPath() + "?" + review.getRawQuery(), null)
        .GET()).body();
    assertThat(html).contains(escaped(asked.action()));
    for (JsonNode part : new JsonNode[] {asked.context(), asked.params(), asked.options()}) {
      if (part == null) {
        continue;
      }
      part.elements().forEachRemaining(v -> assertThat(html).contains(escaped(v.asText())));
    }
  }

  private static void assertContains(JsonNode shown, JsonNode expected) {
    expected.fields().forEachRemaining(f ->
        assertThat(shown.path(f.getKey())).as(f.getKey()).isEqualTo(f.getValue()));
  }

  private static String escaped(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static JsonNode json(Object value) {
    JsonNode node = TestApp.JSON.valueToTree(value);
    return node instanceof ObjectNode o ? o : node;
  }
}
