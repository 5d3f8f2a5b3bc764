package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent driving another through MCP: the loop tools with the SDK's client over
 * Streamable HTTP, each turn a real agent process (the fake agent, which asks for
 * permissions through this server's approval_prompt). A second client of the same person
 * answers choices and interrupts while the first waits in loop_send.
 */
class McpLoopToolsTest {

  /** How long loop_send waits here: long enough for any turn of these tests but the stuck one. */
  static final Duration MAX_WAIT = Duration.ofSeconds(15);
  static final Pattern CHOICE = Pattern.compile("waiting for a choice: (choice_[0-9a-f-]+)");

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static Identities.User ann;
  /** Ann's agent that drives loops, and another of her clients (a person's tool, say). */
  static McpSyncClient driver;
  static McpSyncClient helper;
  static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    app = new TestApp(data,
        ConfigOverride.config("loops.agentCommand", "python3 " + LoopsTest.FAKE_AGENT),
        ConfigOverride.config("mcp.progressInterval", "1s"),
        ConfigOverride.config("mcp.maxBlockingWait", MAX_WAIT.toSeconds() + "s")).start();
    ids = new Identities(app);
    ann = ids.newUser("mcp-loop-ann");
    driver = McpClients.connect(app, ids.rawKey(ann, Map.of("label", "driver")), progress::add);
    helper = McpClients.connect(app, ids.rawKey(ann, Map.of("label", "helper")));
  }

  @AfterAll
  static void stop() {
    for (McpSyncClient c : new McpSyncClient[] {driver, helper}) {
      if (c != null) {
        c.closeGracefully();
      }
    }
    if (app != null) {
      app.close();
    }
  }

  // ---- helpers -------------------------------------------------------------------------

  static String newLoop(McpSyncClient client, Map<String, Object> args) {
    return ok(call(client, "loop_create", args)).path("id").asText();
  }

  /** loop_send on another thread, as an agent blocked on it; progress under {@code token}. */
  static CompletableFuture<CallToolResult> sendAsync(Map<String, Object> args, String token) {
    return CompletableFuture.supplyAsync(() -> driver.callTool(McpSchema.CallToolRequest
        .builder().name("loop_send").arguments(args).progressToken(token).build()));
  }

  static JsonNode send(Map<String, Object> args, String token) throws Exception {
    return ok(sendAsync(args, token).get(60, TimeUnit.SECONDS));
  }

  static List<String> progressOf(String token) {
    return progress.stream().filter(p -> token.equals(p.progressToken()))
        .map(McpSchema.ProgressNotification::message).toList();
  }

  /** The first progress message of the call that matches, waiting for it. */
  static Matcher awaitProgress(String token, Pattern pattern) {
    Matcher[] found = new Matcher[1];
    assertThat(eventually(Duration.ofSeconds(30), () -> {
      for (String m : progressOf(token)) {
        Matcher matcher = pattern.matcher(m);
        if (matcher.find()) {
          found[0] = matcher;
          return true;
        }
      }
      return false;
    })).as("progress matching " + pattern + " in " + progressOf(token)).isTrue();
    return found[0];
  }

  static List<String> names(JsonNode events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.path("event").asText()));
    return out;
  }

  static String token() {
    return "progress-" + UUID.randomUUID();
  }

  // ---- sending -------------------------------------------------------------------------

  @Test
  void givenALoop_whenSentAMessage_thenTheCallWaitsForTheTurnAndReturnsItsTranscript()
      throws Exception {
    JsonNode created = ok(call(driver, "loop_create", Map.of("title", "driven",
        "metadata", Map.of("by", "an agent"))));
    String loopId = created.path("id").asText();
    assertThat(loopId).matches("loop_[0-9a-f-]{36}");
    assertThat(created.path("title").asText()).isEqualTo("driven");
    assertThat(created.path("created_by").asText()).isEqualTo(ann.id());
    assertThat(created.path("busy").asBoolean()).isFalse();
    // The loop object of GET /api/v1/loops/{id}.
    assertThat(created).isEqualTo(ids.bearer("GET", "/api/v1/loops/" + loopId, ann.token(), null)
        .body());

    String token = token();
    JsonNode result = send(Map.of("loop_id", loopId, "content", "SAY hello"), token);
    assertThat(result.path("status").asText()).isEqualTo("done");
    assertThat(result.path("text").asText()).isEqualTo("hello");
    String turnId = result.path("turn_id").asText();
    assertThat(turnId).matches("turn_[0-9a-f-]{36}");
    assertThat(result.has("error")).isFalse();
    assertThat(result.has("pending_choice")).isFalse();
    JsonNode events = result.path("events");
    assertThat(names(events)).first().isEqualTo("started");
    assertThat(names(events)).last().isEqualTo("done");
    assertThat(names(events)).contains("assistant_delta");
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).path("id").asLong()).isGreaterThan(events.get(i - 1).path("id")
          .asLong());
    }
    assertThat(events.get(0).path("data").path("turn_id").asText()).isEqualTo(turnId);
    assertThat(result.path("events_total").asInt()).isEqualTo(events.size());
    assertThat(result.path("events_truncated").asBoolean()).isFalse();
    assertThat(result.path("last_event_id").asLong())
        .isEqualTo(events.get(events.size() - 1).path("id").asLong());

    List<String> told = progressOf(token);
    assertThat(told).as("progress while the turn ran").contains("started", "done");
    assertThat(told.get(0)).isEqualTo("sent: turn " + turnId);

    // The loop as loop_get sees it now: idle, one turn.
    JsonNode got = ok(call(driver, "loop_get", Map.of("loop_id", loopId)));
    assertThat(got.path("loop").path("turn_count").asInt()).isEqualTo(1);
    assertThat(got.path("loop").path("busy").asBoolean()).isFalse();
    assertThat(got.path("loop")).isEqualTo(ids.bearer("GET", "/api/v1/loops/" + loopId,
        ann.token(), null).body());
    assertThat(got.path("snapshot").isNull()).isTrue();
    assertThat(got.path("events")).isEmpty();
    assertThat(got.path("last_event_id").asLong()).isEqualTo(result.path("last_event_id")
        .asLong());
  }

  @Test
  void givenAChoice_whenAnotherClientAllowsIt_thenTheWaitingSendEndsDone() throws Exception {
    String loopId = newLoop(driver, Map.of());
    String token = token();
    CompletableFuture<CallToolResult> sending = sendAsync(Map.of("loop_id", loopId,
        "content", "ASK Bash {\"command\":\"ls\"}"), token);

    // The choice is told as progress, with what the agent wants to do.
    String choiceId = awaitProgress(token, CHOICE).group(1);
    assertThat(progressOf(token)).contains("waiting for a choice: " + choiceId + " (Bash ls)");
    assertThat(sending).isNotDone();
    JsonNode loop = ok(call(helper, "loop_get", Map.of("loop_id", loopId)));
    assertThat(loop.path("loop").path("current_turn").path("pending_choice_id").asText())
        .isEqualTo(choiceId);
    assertThat(loop.path("snapshot").path("pending_choice_id").asText()).isEqualTo(choiceId);

    assertThat(error(call(helper, "loop_answer_choice", Map.of("loop_id", loopId,
        "choice_id", choiceId)))).startsWith("missing_answer: ");
    JsonNode accepted = ok(call(helper, "loop_answer_choice", Map.of("loop_id", loopId,
        "choice_id", choiceId, "allow", true)));
    assertThat(accepted.path("accepted").asBoolean()).isTrue();
    assertThat(error(call(helper, "loop_answer_choice", Map.of("loop_id", loopId,
        "choice_id", choiceId, "allow", true)))).startsWith("choice_not_found: ");

    JsonNode result = ok(sending.get(60, TimeUnit.SECONDS));
    assertThat(result.path("status").asText()).isEqualTo("done");
    assertThat(result.path("text").asText()).contains("Allowed Bash");
    assertThat(names(result.path("events")))
        .containsSubsequence("requires_choice", "choice_resolved", "tool_result", "done");
    assertThat(result.has("pending_choice")).as("answered, so no longer pending").isFalse();
    assertThat(progressOf(token)).anyMatch(m -> m.startsWith("choice " + choiceId + " answered"));
    // The core decided it: the interrupt behind the choice is approved.
    String interruptId = choiceId.substring("choice_".length());
    assertThat(ids.bearer("GET", "/interrupts/" + interruptId, ann.token(), null).text("status"))
        .isEqualTo("approved");
  }

  @Test
  void givenReturnOnChoice_whenTheAgentAsks_thenTheSendReturnsAndTheSameKeyWaitsAgain()
      throws Exception {
    String loopId = newLoop(driver, Map.of());
    String key = UUID.randomUUID().toString();
    Map<String, Object> message = Map.of("loop_id", loopId,
        "content", "SAY checking\nASK Bash {\"command\":\"rm -rf /tmp/x\"}",
        "idempotency_key", key, "return_on_choice", true);
    JsonNode first = send(message, token());
    assertThat(first.path("status").asText()).isEqualTo("running");
    JsonNode pending = first.path("pending_choice");
    String choiceId = pending.path("choice_id").asText();
    assertThat(choiceId).startsWith("choice_");
    assertThat(pending.path("kind").asText()).isEqualTo("permission");
    assertThat(pending.path("payload").path("tool").asText()).isEqualTo("Bash");
    assertThat(pending.path("payload").path("command").asText()).isEqualTo("rm -rf /tmp/x");
    assertThat(first.path("text").asText()).isEqualTo("checking");
    assertThat(names(first.path("events"))).last().isEqualTo("requires_choice");
    assertThat(first.path("message").asText()).contains("loop_answer_choice");

    // The driver decides itself, then waits on the same turn again with the same key.
    assertThat(ok(call(driver, "loop_answer_choice", Map.of("loop_id", loopId,
        "choice_id", choiceId, "allow", false))).path("accepted").asBoolean()).isTrue();
    Map<String, Object> again = new HashMap<>(message);
    again.remove("return_on_choice");
    String token = token();
    JsonNode second = send(again, token);
    assertThat(second.path("turn_id").asText()).isEqualTo(first.path("turn_id").asText());
    assertThat(second.path("status").asText()).isEqualTo("done");
    assertThat(second.path("text").asText()).startsWith("checking").contains("Denied Bash");
    assertThat(progressOf(token).get(0)).startsWith("waiting again on turn ");
    assertThat(ok(call(driver, "loop_get", Map.of("loop_id", loopId))).path("loop")
        .path("turn_count").asInt()).as("no second turn").isEqualTo(1);
  }

  @Test
  void givenARunningTurn_whenAnotherClientInterrupts_thenTheWaitingSendEndsInterrupted()
      throws Exception {
    String loopId = newLoop(driver, Map.of());
    String token = token();
    long began = System.nanoTime();
    CompletableFuture<CallToolResult> sending = sendAsync(Map.of("loop_id", loopId,
        "content", "SAY working\nSLEEP 60\nSAY never"), token);
    awaitProgress(token, Pattern.compile("^started$"));
    assertThat(eventually(Duration.ofSeconds(20), () -> ok(call(helper, "loop_get",
        Map.of("loop_id", loopId))).path("snapshot").path("assistant_text_so_far").asText()
        .equals("working"))).isTrue();
    JsonNode accepted = ok(call(helper, "loop_interrupt", Map.of("loop_id", loopId)));
    assertThat(accepted.path("accepted").asBoolean()).isTrue();

    JsonNode result = ok(sending.get(60, TimeUnit.SECONDS));
    assertThat(result.path("status").asText()).isEqualTo("interrupted");
    assertThat(result.path("text").asText()).isEqualTo("working");
    assertThat(names(result.path("events"))).last().isEqualTo("interrupted");
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(MAX_WAIT);
    assertThat(ok(call(driver, "loop_get", Map.of("loop_id", loopId))).path("loop")
        .path("busy").asBoolean()).isFalse();
  }

  @Test
  void givenATurnLongerThanTheWait_whenSent_thenRunningWithWhereToReadOn() throws Exception {
    String loopId = newLoop(driver, Map.of());
    String token = token();
    JsonNode result = send(Map.of("loop_id", loopId, "content", "SAY slow\nSLEEP 60"), token);
    try {
      assertThat(result.path("status").asText()).isEqualTo("running");
      assertThat(result.path("text").asText()).isEqualTo("slow");
      assertThat(result.path("message").asText()).contains("loop_get");
      assertThat(result.has("pending_choice")).isFalse();
      // Progress kept coming while nothing happened (at the 1 s interval).
      assertThat(progressOf(token).stream().filter(m -> m.startsWith("running: ")).count())
          .isGreaterThanOrEqualTo(5);
      JsonNode later = ok(call(driver, "loop_get", Map.of("loop_id", loopId,
          "after_event_id", result.path("last_event_id").asLong())));
      assertThat(later.path("loop").path("busy").asBoolean()).isTrue();
      assertThat(later.path("loop").path("current_turn").path("turn_id").asText())
          .isEqualTo(result.path("turn_id").asText());
    } finally {
      ok(call(driver, "loop_interrupt", Map.of("loop_id", loopId)));
    }
  }

  // ---- reading -------------------------------------------------------------------------

  @Test
  void givenEvents_whenReadAfterAnId_thenOnlyTheLaterOnes() throws Exception {
    String loopId = newLoop(driver, Map.of());
    JsonNode first = send(Map.of("loop_id", loopId, "content", "SAY one"), token());
    JsonNode second = send(Map.of("loop_id", loopId, "content", "SAY two\nSAY three"), token());
    long firstEnd = first.path("last_event_id").asLong();

    JsonNode all = ok(call(driver, "loop_get", Map.of("loop_id", loopId, "after_event_id", 0)));
    assertThat(all.path("events")).hasSize(first.path("events").size()
        + second.path("events").size());
    assertThat(all.path("has_more").asBoolean()).isFalse();

    JsonNode later = ok(call(driver, "loop_get", Map.of("loop_id", loopId,
        "after_event_id", firstEnd)));
    assertThat(later.path("events")).isEqualTo(second.path("events"));
    later.path("events").forEach(e -> assertThat(e.path("id").asLong()).isGreaterThan(firstEnd));
    assertThat(later.path("last_event_id").asLong()).isEqualTo(second.path("last_event_id")
        .asLong());

    JsonNode none = ok(call(driver, "loop_get", Map.of("loop_id", loopId,
        "after_event_id", second.path("last_event_id").asLong())));
    assertThat(none.path("events")).isEmpty();
    assertThat(none.path("last_event_id").asLong()).isEqualTo(second.path("last_event_id")
        .asLong());

    assertThat(error(call(driver, "loop_get", Map.of("loop_id", loopId, "after_event_id", -1))))
        .startsWith("invalid_after_event_id: ");
    assertThat(error(call(driver, "loop_get", Map.of("loop_id", loopId, "after_event_id", 1.5))))
        .startsWith("invalid_after_event_id: ");
  }

  // ---- refusals ------------------------------------------------------------------------

  @Test
  void givenUnknownAndOthersLoops_whenUsed_thenLoopatCodesAndNothingRuns() {
    String unknown = "loop_00000000-0000-0000-0000-000000000000";
    assertThat(error(call(driver, "loop_get", Map.of("loop_id", unknown))))
        .startsWith("loop_not_found: ");
    assertThat(error(call(driver, "loop_send", Map.of("loop_id", unknown, "content", "SAY x"))))
        .startsWith("loop_not_found: ");
    assertThat(error(call(driver, "loop_interrupt", Map.of("loop_id", unknown))))
        .startsWith("loop_not_found: ");
    assertThat(error(call(driver, "loop_answer_choice", Map.of("loop_id", unknown,
        "choice_id", "choice_x", "allow", true)))).startsWith("loop_not_found: ");

    // Another user's loop does not exist for Bob; another person of the same workspace
    // (a second key of the admin) is told it is not theirs.
    String annLoop = newLoop(driver, Map.of());
    McpSyncClient bob = McpClients.connect(app, ids.rawKey(ids.newUser("mcp-loop-bob"),
        Map.of("label", "bob's agent")));
    McpSyncClient admin = McpClients.connect(app, TestApp.ADMIN_KEY);
    McpSyncClient otherAdmin = McpClients.connect(app, app.keyFor("admin"));
    try {
      assertThat(error(call(bob, "loop_get", Map.of("loop_id", annLoop))))
          .startsWith("loop_not_found: ");
      assertThat(error(call(bob, "loop_send", Map.of("loop_id", annLoop, "content", "SAY x"))))
          .startsWith("loop_not_found: ");
      assertThat(error(call(bob, "loop_interrupt", Map.of("loop_id", annLoop))))
          .startsWith("loop_not_found: ");
      String adminLoop = newLoop(admin, Map.of());
      assertThat(error(call(otherAdmin, "loop_get", Map.of("loop_id", adminLoop))))
          .startsWith("not_loop_owner: ");
      assertThat(error(call(otherAdmin, "loop_send", Map.of("loop_id", adminLoop,
          "content", "SAY x")))).startsWith("not_loop_owner: ");
      assertThat(ok(call(admin, "loop_get", Map.of("loop_id", adminLoop))).path("loop")
          .path("turn_count").asInt()).isZero();
    } finally {
      bob.closeGracefully();
      admin.closeGracefully();
      otherAdmin.closeGracefully();
    }
    assertThat(ok(call(driver, "loop_get", Map.of("loop_id", annLoop))).path("loop")
        .path("turn_count").asInt()).isZero();

    // Bad arguments, in loopat's words.
    assertThat(error(call(driver, "loop_send", Map.of("loop_id", annLoop))))
        .startsWith("missing_content: ");
    assertThat(error(call(driver, "loop_send", Map.of("loop_id", annLoop, "content", 7))))
        .startsWith("invalid_content: ");
    assertThat(error(call(driver, "loop_send", Map.of("loop_id", annLoop, "content", "SAY x",
        "permission_mode", "yolo")))).startsWith("invalid_permission_mode: ");
    assertThat(error(call(driver, "loop_send", Map.of("content", "SAY x"))))
        .startsWith("missing_loop_id: ");
    assertThat(error(call(driver, "loop_create", Map.of("title", "x".repeat(201)))))
        .startsWith("title_too_long: ");
    assertThat(error(call(driver, "loop_create", Map.of("metadata", Map.of("k", 1)))))
        .startsWith("invalid_metadata: ");
    assertThat(error(call(driver, "loop_create", Map.of("repo", "nope"))))
        .startsWith("repo_not_found: ");
    assertThat(ok(call(driver, "loop_get", Map.of("loop_id", annLoop))).path("loop")
        .path("turn_count").asInt()).isZero();
  }

  @Test
  void givenAKeyWithoutTheScope_whenItsToolIsCalled_thenRefusedNamingTheScope() {
    String loopId = newLoop(driver, Map.of());
    McpSyncClient reader = McpClients.connect(app, ids.rawKey(ann, Map.of("label", "reader",
        "scopes", List.of("request:read"))));
    try {
      assertThat(ok(call(reader, "loop_get", Map.of("loop_id", loopId))).path("loop")
          .path("id").asText()).isEqualTo(loopId);
      assertThat(error(call(reader, "loop_send", Map.of("loop_id", loopId,
          "content", "SAY no")))).contains("request:create");
      assertThat(error(call(reader, "loop_create", Map.of()))).contains("request:create");
      assertThat(error(call(reader, "loop_interrupt", Map.of("loop_id", loopId))))
          .contains("request:create");
      assertThat(error(call(reader, "loop_answer_choice", Map.of("loop_id", loopId,
          "choice_id", "choice_x", "allow", true)))).contains("request:decide");
    } finally {
      reader.closeGracefully();
    }
    assertThat(ok(call(driver, "loop_get", Map.of("loop_id", loopId))).path("loop")
        .path("turn_count").asInt()).as("nothing was sent").isZero();
  }
}
