package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.SseReader.Frame;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * loopat's loops end to end: the v1 contract's endpoints and stream, each turn a real
 * agent process (the fake agent in the worker's test sources, which speaks Claude Code's
 * headless stream-json and calls approval_prompt on this server's /mcp with the turn's
 * key), on the run's Temporal (embedded, and the dev server in the second run).
 */
class LoopsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path FAKE_AGENT = Path.of("..", "worker", "src", "test", "resources",
      "fake-agent", "fake-agent.py").toAbsolutePath().normalize();

  @TempDir static Path data;
  @TempDir static Path repo;
  static TestApp app;
  static Identities ids;
  static Identities.User ann;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(repo.resolve("README"), "a repo");
    app = new TestApp(data,
        ConfigOverride.config("loops.agentCommand", "python3 " + FAKE_AGENT),
        ConfigOverride.config("loops.repos.myproject", repo.toString()),
        ConfigOverride.config("loops.repos.gone", repo.resolve("missing").toString()),
        ConfigOverride.config("loops.pingInterval", "1s"));
    app.start();
    ids = new Identities(app);
    ann = ids.newUser("loop-ann");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- helpers -------------------------------------------------------------------------

  static Resp call(String method, String path, String credential, Object body) {
    return ids.bearer(method, path, credential, body);
  }

  static String newLoop(String credential, Map<String, Object> body) {
    Resp r = call("POST", "/api/v1/loops", credential, body);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("id");
  }

  static HttpRequest.Builder stream(String path, String credential) {
    return HttpRequest.newBuilder(URI.create(app.base() + path))
        .timeout(Duration.ofMinutes(3))
        .header("Authorization", "Bearer " + credential)
        .header("Accept", "text/event-stream");
  }

  static SseReader send(String loopId, String credential, String content, Map<String, String> headers) {
    HttpRequest.Builder b = stream("/api/v1/loops/" + loopId + "/messages", credential)
        .header("Content-Type", "application/json");
    headers.forEach(b::header);
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("content", content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return SseReader.open(app.http(), b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static SseReader send(String loopId, String content) {
    return send(loopId, ann.token(), content, Map.of());
  }

  static SseReader watch(String loopId, String lastEventId) {
    HttpRequest.Builder b = stream("/api/v1/loops/" + loopId + "/events", ann.token());
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return SseReader.open(app.http(), b.GET().build());
  }

  static String text(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("assistant_delta"))
        .map(f -> f.json().path("text").asText()).collect(Collectors.joining());
  }

  static List<String> names(List<Frame> frames) {
    return frames.stream().map(Frame::event).toList();
  }

  // ---- the loop object -----------------------------------------------------------------

  @Test
  void givenNewLoop_whenCreatedAndRead_thenTheLoopObjectOfTheContract() {
    Resp created = call("POST", "/api/v1/loops", ann.token(), Map.of("title", "kanban refactor",
        "metadata", Map.of("slack_thread", "C123:1234"), "profiles", List.of("base", "coding"),
        "repo", "myproject"));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    JsonNode loop = created.body();
    assertThat(loop.path("id").asText()).matches("loop_[0-9a-f-]{36}");
    assertThat(loop.path("title").asText()).isEqualTo("kanban refactor");
    assertThat(loop.path("created_by").asText()).isEqualTo(ann.id());
    assertThat(loop.path("created_at").asText()).endsWith("Z");
    assertThat(loop.path("archived").asBoolean()).isFalse();
    assertThat(loop.path("archived_at").isNull()).isTrue();
    assertThat(loop.path("metadata").path("slack_thread").asText()).isEqualTo("C123:1234");
    assertThat(loop.path("profiles")).hasSize(2);
    assertThat(loop.path("vault").asText()).isEqualTo("default");
    assertThat(loop.path("repo").asText()).isEqualTo("myproject");

    Resp got = call("GET", "/api/v1/loops/" + loop.path("id").asText(), ann.token(), null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body().path("busy").asBoolean()).isFalse();
    assertThat(got.body().path("queue_depth").asInt()).isZero();
    assertThat(got.body().path("turn_count").asInt()).isZero();
    assertThat(got.body().path("current_turn").isNull()).isTrue();

    Resp untitled = call("POST", "/api/v1/loops", ann.token(), null);
    assertThat(untitled.status()).isEqualTo(201);
    assertThat(untitled.text("title")).isEqualTo("untitled");
    assertThat(untitled.body().path("repo").isNull()).isTrue();
  }

  @Test
  void givenBadInput_whenCreatingOrReading_thenLoopatErrorsWithTheSpecsCodes() {
    Resp longTitle = call("POST", "/api/v1/loops", ann.token(), Map.of("title", "x".repeat(201)));
    assertThat(longTitle.status()).isEqualTo(400);
    assertThat(longTitle.body().path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
    assertThat(longTitle.body().path("error").path("code").asText()).isEqualTo("title_too_long");
    Resp bigMeta = call("POST", "/api/v1/loops", ann.token(),
        Map.of("metadata", Map.of("k", "v".repeat(17_000))));
    assertThat(bigMeta.body().path("error").path("code").asText()).isEqualTo("metadata_too_large");
    Resp notStrings = call("POST", "/api/v1/loops", ann.token(), Map.of("metadata", Map.of("k", 1)));
    assertThat(notStrings.body().path("error").path("code").asText()).isEqualTo("invalid_metadata");
    Resp unknownRepo = call("POST", "/api/v1/loops", ann.token(), Map.of("repo", "nope"));
    assertThat(unknownRepo.status()).isEqualTo(400);
    assertThat(unknownRepo.body().path("error").path("code").asText()).isEqualTo("repo_not_found");

    Resp missing = call("GET", "/api/v1/loops/loop_00000000-0000-0000-0000-000000000000",
        ann.token(), null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().path("error").path("type").asText()).isEqualTo("not_found_error");
    assertThat(missing.body().path("error").path("code").asText()).isEqualTo("loop_not_found");

    Resp anonymous = app.get("/api/v1/loops", null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.body().path("error").path("type").asText())
        .isEqualTo("authentication_error");

    // Another user (another workspace) cannot see it; another key of the same workspace is
    // another person: 403 not_loop_owner.
    String loopId = newLoop(ann.token(), Map.of());
    Identities.User bob = ids.newUser("loop-bob");
    assertThat(call("GET", "/api/v1/loops/" + loopId, bob.token(), null).status()).isEqualTo(404);
    String adminLoop = newLoop(TestApp.ADMIN_KEY, Map.of());
    String otherKey = app.keyFor("admin");
    Resp notOwner = call("GET", "/api/v1/loops/" + adminLoop, otherKey, null);
    assertThat(notOwner.status()).isEqualTo(403);
    assertThat(notOwner.body().path("error").path("type").asText()).isEqualTo("permission_error");
    assertThat(notOwner.body().path("error").path("code").asText()).isEqualTo("not_loop_owner");

    Resp badLimit = call("GET", "/api/v1/loops?limit=101", ann.token(), null);
    assertThat(badLimit.status()).isEqualTo(400);
  }

  @Test
  void givenLoops_whenListed_thenOwnOnesByActivityWithCursorsAndWithoutRuntimeFields() {
    Identities.User cat = ids.newUser("loop-cat");
    String a = newLoop(cat.token(), Map.of("title", "a"));
    String b = newLoop(cat.token(), Map.of("title", "b"));
    String c = newLoop(cat.token(), Map.of("title", "c"));
    Resp first = call("GET", "/api/v1/loops?limit=2", cat.token(), null);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().path("data")).hasSize(2);
    assertThat(first.text("first_id")).isEqualTo(c);
    assertThat(first.text("last_id")).isEqualTo(b);
    assertThat(first.body().path("has_more").asBoolean()).isTrue();
    assertThat(first.body().path("data").get(0).has("busy")).isFalse();
    assertThat(first.body().path("data").get(0).has("queue_depth")).isFalse();
    Resp next = call("GET", "/api/v1/loops?limit=2&after=" + b, cat.token(), null);
    assertThat(next.body().path("data")).hasSize(1);
    assertThat(next.text("first_id")).isEqualTo(a);
    assertThat(next.body().path("has_more").asBoolean()).isFalse();
    Resp before = call("GET", "/api/v1/loops?before=" + a, cat.token(), null);
    assertThat(before.body().path("data").findValuesAsText("id")).containsExactly(c, b);

    assertThat(call("DELETE", "/api/v1/loops/" + b, cat.token(), null).status()).isEqualTo(204);
    Resp live = call("GET", "/api/v1/loops", cat.token(), null);
    assertThat(live.body().path("data").findValuesAsText("id")).containsExactly(c, a);
    Resp all = call("GET", "/api/v1/loops?archived=true", cat.token(), null);
    assertThat(all.body().path("data").findValuesAsText("id")).contains(b);
    Resp archived = call("GET", "/api/v1/loops/" + b, cat.token(), null);
    assertThat(archived.body().path("archived").asBoolean()).isTrue();
    assertThat(archived.body().path("archived_at").asText()).endsWith("Z");

    try (SseReader refused = send(b, cat.token(), "hello", Map.of())) {
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.contentType()).startsWith("application/json");
      assertThat(refused.errorBody().path("error").path("code").asText()).isEqualTo("loop_archived");
    }
  }

  // ---- turns -------------------------------------------------------------------------

  @Test
  void givenMessage_whenSent_thenTheTurnStreamsFromStartedToDoneWithSequencedIds() {
    String loopId = newLoop(ann.token(), Map.of("title", "demo"));
    List<Frame> frames;
    try (SseReader s = send(loopId, "THINK pondering\nTOOL Bash {\"command\":\"ls /tmp\"}\nSAY Here are the files")) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.contentType()).startsWith("text/event-stream");
      frames = s.untilEnd();
    }
    assertThat(names(frames)).first().isEqualTo("started");
    assertThat(names(frames)).last().isEqualTo("done");
    assertThat(names(frames)).contains("thinking_delta", "tool_call", "tool_result",
        "assistant_delta");
    assertThat(names(frames).indexOf("tool_call")).isLessThan(names(frames).indexOf("tool_result"));
    Frame started = frames.get(0);
    String turnId = started.json().path("turn_id").asText();
    assertThat(turnId).matches("turn_[0-9a-f-]{36}");
    assertThat(started.json().path("cold_start").asBoolean()).isTrue();
    Frame call = frames.stream().filter(f -> f.event().equals("tool_call")).findFirst().orElseThrow();
    assertThat(call.json().path("tool").asText()).isEqualTo("Bash");
    assertThat(call.json().path("input_summary").asText()).isEqualTo("ls /tmp");
    Frame result = frames.stream().filter(f -> f.event().equals("tool_result")).findFirst().orElseThrow();
    assertThat(result.json().path("tool_use_id").asText()).isEqualTo(call.json().path("tool_use_id").asText());
    assertThat(result.json().path("ok").asBoolean()).isTrue();
    assertThat(text(frames)).isEqualTo("Here are the files");
    // Partial messages: the text came in more than one delta, never twice.
    assertThat(frames.stream().filter(f -> f.event().equals("assistant_delta")).count())
        .isGreaterThan(1);
    assertThat(frames.get(frames.size() - 1).json().path("turn_id").asText()).isEqualTo(turnId);
    // Every frame has an id, strictly increasing.
    for (int i = 1; i < frames.size(); i++) {
      assertThat(frames.get(i).seq()).isGreaterThan(frames.get(i - 1).seq());
    }

    Resp after = call("GET", "/api/v1/loops/" + loopId, ann.token(), null);
    assertThat(after.body().path("turn_count").asInt()).isEqualTo(1);
    assertThat(after.body().path("busy").asBoolean()).isFalse();

    // The second turn resumes the agent's session, in the loop's own folder.
    List<Frame> second;
    try (SseReader s = send(loopId, "SESSION\nPWD")) {
      second = s.untilEnd();
    }
    assertThat(second.get(0).json().path("cold_start").asBoolean()).isFalse();
    assertThat(names(second)).last().isEqualTo("done");
    assertThat(text(second)).contains("session ").contains("cwd ").contains(loopId);
    String session = text(second).replaceAll("(?s).*session ([0-9a-f-]{36}).*", "$1");
    List<Frame> third;
    try (SseReader s = send(loopId, "SESSION")) {
      third = s.untilEnd();
    }
    assertThat(text(third)).contains("session " + session);
  }

  @Test
  void givenRepo_whenTurnRuns_thenTheAgentWorksInTheRepoFolder() throws Exception {
    String loopId = newLoop(ann.token(), Map.of("repo", "myproject"));
    List<Frame> frames;
    try (SseReader s = send(loopId, "PWD\nENV INTERLOCK_LOOP_ID")) {
      frames = s.untilEnd();
    }
    assertThat(text(frames)).contains("cwd " + repo.toRealPath().toString().replace("\\", "/"))
        .contains("INTERLOCK_LOOP_ID=" + loopId);
  }

  @Test
  void givenFailingAgents_whenTurnsRun_thenErrorsWithStableCodesAndTheLoopGoesOn() throws Exception {
    String loopId = newLoop(ann.token(), Map.of());
    List<Frame> exited;
    try (SseReader s = send(loopId, "SAY bye\nEXIT 3")) {
      exited = s.untilEnd();
    }
    Frame end = exited.get(exited.size() - 1);
    assertThat(end.event()).isEqualTo("error");
    assertThat(end.json().path("code").asText()).isEqualTo("agent_exited");
    assertThat(end.json().path("message").asText()).contains("3");
    assertThat(end.json().path("turn_id").asText()).isNotEmpty();

    List<Frame> failed;
    try (SseReader s = send(loopId, "FAILRESULT quota exceeded")) {
      failed = s.untilEnd();
    }
    assertThat(failed.get(failed.size() - 1).json().path("code").asText()).isEqualTo("agent_error");
    assertThat(failed.get(failed.size() - 1).json().path("message").asText()).contains("quota");

    String broken = newLoop(ann.token(), Map.of("repo", "gone"));
    List<Frame> spawn;
    try (SseReader s = send(broken, "SAY never")) {
      spawn = s.untilEnd();
    }
    assertThat(spawn.get(spawn.size() - 1).event()).isEqualTo("error");
    assertThat(spawn.get(spawn.size() - 1).json().path("code").asText())
        .isEqualTo("agent_spawn_failed");

    // The loop is not stuck: the next message runs.
    List<Frame> again;
    try (SseReader s = send(loopId, "SAY still here")) {
      again = s.untilEnd();
    }
    assertThat(text(again)).isEqualTo("still here");
  }

  @Test
  void givenBadMessages_whenSent_thenJsonErrorsBeforeAnyStream() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader s = SseReader.open(app.http(), stream("/api/v1/loops/" + loopId + "/messages",
        ann.token()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build())) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.errorBody().path("error").path("code").asText()).isEqualTo("missing_content");
    }
    try (SseReader s = send(loopId, ann.token(), "x".repeat(1024 * 1024 + 1), Map.of())) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.errorBody().path("error").path("code").asText()).isEqualTo("content_too_large");
    }
    try (SseReader s = send("loop_nope", ann.token(), "hi", Map.of())) {
      assertThat(s.status()).isEqualTo(404);
      assertThat(s.errorBody().path("error").path("code").asText()).isEqualTo("loop_not_found");
    }
    try (SseReader s = send(loopId, ann.token(), "hi", Map.of("Idempotency-Key", "k".repeat(257)))) {
      assertThat(s.status()).isEqualTo(400);
    }
    try (SseReader s = send(loopId, ann.token(), "hi", Map.of("Last-Event-ID", "seven"))) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.errorBody().path("error").path("code").asText())
          .isEqualTo("invalid_last_event_id");
    }
    // Nothing refused became a turn.
    Resp loop = call("GET", "/api/v1/loops/" + loopId, ann.token(), null);
    assertThat(loop.body().path("turn_count").asInt()).isZero();
  }

  // ---- choices -----------------------------------------------------------------------

  @Test
  void givenPermissionChoice_whenAnsweredThroughLoopat_thenResolvedAsApiAndTheAgentGoesOn() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader s = send(loopId, "ASK Bash {\"command\":\"rm -rf /tmp/foo\",\"description\":\"clean up\"}")) {
      List<Frame> upTo = s.until("requires_choice");
      Frame choice = upTo.get(upTo.size() - 1);
      String choiceId = choice.json().path("choice_id").asText();
      assertThat(choiceId).startsWith("choice_");
      assertThat(choice.json().path("kind").asText()).isEqualTo("permission");
      assertThat(choice.json().path("payload").path("tool").asText()).isEqualTo("Bash");
      assertThat(choice.json().path("payload").path("command").asText()).isEqualTo("rm -rf /tmp/foo");
      assertThat(choice.json().path("payload").path("reason").asText()).isEqualTo("clean up");

      // The loop shows the pending choice; so does the core, as an interrupt of source loopat.
      Resp loop = call("GET", "/api/v1/loops/" + loopId, ann.token(), null);
      assertThat(loop.body().path("busy").asBoolean()).isTrue();
      assertThat(loop.body().path("current_turn").path("pending_choice_id").asText())
          .isEqualTo(choiceId);
      String interruptId = choiceId.substring("choice_".length());
      Resp asLoopIn = call("GET", "/interrupts/" + interruptId, ann.token(), null);
      assertThat(asLoopIn.status()).as(asLoopIn.raw().body()).isEqualTo(200);
      assertThat(asLoopIn.text("status")).isEqualTo("pending");
      Resp agentGate = call("GET", "/api/requests?status=pending", ann.token(), null);
      assertThat(agentGate.raw().body()).contains(interruptId);

      Resp bad = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId, ann.token(),
          Map.of("allow", "yes"));
      assertThat(bad.status()).isEqualTo(400);
      Resp answered = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId,
          ann.token(), Map.of("allow", true));
      assertThat(answered.status()).as(answered.raw().body()).isEqualTo(202);
      Resp twice = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId,
          ann.token(), Map.of("allow", true));
      assertThat(twice.status()).isEqualTo(404);
      assertThat(twice.body().path("error").path("code").asText()).isEqualTo("choice_not_found");

      List<Frame> rest = s.untilEnd();
      assertThat(names(rest)).containsSubsequence("choice_resolved", "tool_result", "done");
      Frame resolved = rest.stream().filter(f -> f.event().equals("choice_resolved")).findFirst()
          .orElseThrow();
      assertThat(resolved.json().path("choice_id").asText()).isEqualTo(choiceId);
      assertThat(resolved.json().path("source").asText()).isEqualTo("api");
      assertThat(text(rest)).contains("Allowed Bash");
      assertThat(call("GET", "/interrupts/" + interruptId, ann.token(), null).text("status"))
          .isEqualTo("approved");
    }
  }

  @Test
  void givenPermissionChoice_whenListedAndAnsweredThroughLoopgate_thenTheAgentGoesOn() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader s = send(loopId, "ASK Bash {\"command\":\"make deploy\",\"description\":\"ship it\"}")) {
      List<Frame> upTo = s.until("requires_choice");
      String choiceId = upTo.get(upTo.size() - 1).json().path("choice_id").asText();
      String interruptId = choiceId.substring("choice_".length());

      // Loopgate's pending list shows the choice as one of its requests, with what is asked.
      Resp pending = call("GET", "/hitl/pending", ann.token(), null);
      assertThat(pending.status()).as(pending.raw().body()).isEqualTo(200);
      JsonNode item = null;
      for (JsonNode n : pending.body().path("pending_requests")) {
        if (n.path("id").asText().equals(interruptId)) {
          item = n;
        }
      }
      assertThat(item).as(pending.raw().body()).isNotNull();
      assertThat(item.toString()).contains("Bash").contains("make deploy");

      Resp answered = call("POST", "/hitl/respond", ann.token(),
          Map.of("request_id", interruptId, "response", "go ahead", "approved", true));
      assertThat(answered.status()).as(answered.raw().body()).isEqualTo(200);

      List<Frame> rest = s.untilEnd();
      assertThat(names(rest)).containsSubsequence("choice_resolved", "tool_result", "done");
      Frame resolved = rest.stream().filter(f -> f.event().equals("choice_resolved")).findFirst()
          .orElseThrow();
      assertThat(resolved.json().path("choice_id").asText()).isEqualTo(choiceId);
      assertThat(resolved.json().path("source").asText()).isEqualTo("api");
      assertThat(text(rest)).contains("Allowed Bash");
      // Answered once: it left Loopgate's list, and loopat's own door now says so.
      assertThat(call("GET", "/hitl/pending", ann.token(), null).raw().body())
          .doesNotContain(interruptId);
      Resp late = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId, ann.token(),
          Map.of("allow", false));
      assertThat(late.status()).isEqualTo(404);
    }
  }

  @Test
  void givenPermissionChoice_whenDeniedThroughAnotherDialect_thenTheAgentHearsTheDenial() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader s = send(loopId, "ASK Write {\"file_path\":\"/etc/passwd\",\"content\":\"x\"}")) {
      List<Frame> upTo = s.until("requires_choice");
      String choiceId = upTo.get(upTo.size() - 1).json().path("choice_id").asText();
      String interruptId = choiceId.substring("choice_".length());
      Resp denied = call("POST", "/interrupts/" + interruptId + "/decide", ann.token(),
          Map.of("decision", "rejected", "reason", "not that file"));
      assertThat(denied.status()).as(denied.raw().body()).isEqualTo(200);
      List<Frame> rest = s.untilEnd();
      Frame resolved = rest.stream().filter(f -> f.event().equals("choice_resolved")).findFirst()
          .orElseThrow();
      assertThat(resolved.json().path("source").asText()).isEqualTo("api");
      assertThat(text(rest)).contains("Denied Write").contains("not that file");
      assertThat(names(rest)).last().isEqualTo("done");
    }
  }

  @Test
  void givenQuestionChoice_whenAnswered_thenTheAgentGetsTheAnswersByQuestion() {
    String loopId = newLoop(ann.token(), Map.of());
    String ask = "ASK AskUserQuestion {\"questions\":[{\"question\":\"Which color?\",\"header\":"
        + "\"Color\",\"options\":[{\"label\":\"red\",\"description\":\"warm\"},{\"label\":\"blue\","
        + "\"description\":\"cool\"}],\"multiSelect\":false}]}";
    try (SseReader s = send(loopId, ask)) {
      List<Frame> upTo = s.until("requires_choice");
      Frame choice = upTo.get(upTo.size() - 1);
      assertThat(choice.json().path("kind").asText()).isEqualTo("question");
      JsonNode q = choice.json().path("payload").path("questions").get(0);
      assertThat(q.path("id").asText()).isEqualTo("q1");
      assertThat(q.path("question").asText()).isEqualTo("Which color?");
      assertThat(q.path("options").toString()).isEqualTo("[\"red\",\"blue\"]");
      assertThat(q.path("multi_select").asBoolean()).isFalse();
      String choiceId = choice.json().path("choice_id").asText();
      Resp wrong = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId, ann.token(),
          Map.of("allow", true));
      assertThat(wrong.status()).isEqualTo(400);
      Resp answered = call("POST", "/api/v1/loops/" + loopId + "/choices/" + choiceId,
          ann.token(), Map.of("answers", Map.of("q1", "blue")));
      assertThat(answered.status()).as(answered.raw().body()).isEqualTo(202);
      List<Frame> rest = s.untilEnd();
      assertThat(text(rest)).contains("Allowed AskUserQuestion with answers")
          .contains("{\"Which color?\":\"blue\"}");
    }
  }

  // ---- the queue, interrupts, reconnects ---------------------------------------------------

  @Test
  void givenBusyLoop_whenMoreMessagesCome_thenTheyQueueAndRunInOrder() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader first = send(loopId, "SAY one\nSLEEP 2\nSAY done one")) {
      first.until("started");
      try (SseReader second = send(loopId, "SAY two")) {
        Frame queued = second.next();
        assertThat(queued.event()).isEqualTo("queued");
        assertThat(queued.json().path("position").asInt()).isEqualTo(1);
        Resp loop = call("GET", "/api/v1/loops/" + loopId, ann.token(), null);
        assertThat(loop.body().path("busy").asBoolean()).isTrue();
        assertThat(loop.body().path("queue_depth").asInt()).isEqualTo(1);
        assertThat(loop.body().path("turn_count").asInt()).isEqualTo(2);
        List<Frame> firstRest = first.untilEnd();
        List<Frame> secondRest = second.untilEnd();
        assertThat(text(firstRest)).isEqualTo("onedone one");
        // A queued message's stream carries only its own turn's events.
        assertThat(text(secondRest)).isEqualTo("two");
        assertThat(names(secondRest)).first().isEqualTo("started");
        assertThat(secondRest.get(secondRest.size() - 1).seq())
            .isGreaterThan(firstRest.get(firstRest.size() - 1).seq());
      }
    }
  }

  @Test
  void givenConcurrentSenders_whenTheyRace_thenEveryMessageRunsOnceInTheOrderOfItsNumber()
      throws Exception {
    String loopId = newLoop(ann.token(), Map.of());
    int n = 6;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    List<java.util.concurrent.Future<List<Frame>>> streams = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      streams.add(pool.submit(() -> {
        try (SseReader s = send(loopId, "SAY m" + k)) {
          return s.untilEnd();
        }
      }));
    }
    java.util.Set<String> texts = new java.util.HashSet<>();
    for (var f : streams) {
      List<Frame> frames = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(names(frames)).last().isEqualTo("done");
      texts.add(text(frames));
    }
    pool.shutdown();
    assertThat(texts).hasSize(n);
    // Started in the order of their numbers, one after the other.
    List<Integer> byStart = app.jdbi().withHandle(h -> h.createQuery(
        "select number from loop_turns where loop_id = :l order by started_at")
        .bind("l", loopId).mapTo(Integer.class).list());
    assertThat(byStart).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void givenRunningTurn_whenInterrupted_thenTheAgentStopsAndEveryOpenStreamEnds() {
    String loopId = newLoop(ann.token(), Map.of());
    try (SseReader running = send(loopId, "SAY working\nSLEEP 60\nSAY never");
        SseReader watcher = watch(loopId, null)) {
      running.until("assistant_delta");
      try (SseReader queued = send(loopId, "SAY queued")) {
        assertThat(queued.next().event()).isEqualTo("queued");
        long began = System.nanoTime();
        assertThat(call("POST", "/api/v1/loops/" + loopId + "/interrupt", ann.token(), null)
            .status()).isEqualTo(202);
        List<Frame> rest = running.untilEnd();
        assertThat(names(rest)).last().isEqualTo("interrupted");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(20));
        assertThat(names(queued.untilEnd())).last().isEqualTo("interrupted");
        assertThat(names(watcher.untilEnd())).contains("interrupted");
        assertThat(text(rest)).doesNotContain("never");
      }
    }
    Resp loop = call("GET", "/api/v1/loops/" + loopId, ann.token(), null);
    assertThat(loop.body().path("busy").asBoolean()).isFalse();
    // The loop takes messages again.
    try (SseReader next = send(loopId, "SAY after")) {
      assertThat(text(next.untilEnd())).isEqualTo("after");
    }
  }

  @Test
  void givenRunningTurn_whenWatched_thenSnapshotFirstAndClosingTheStreamDoesNotStopTheTurn() {
    String loopId = newLoop(ann.token(), Map.of());
    String lastSeen;
    try (SseReader s = send(loopId, "SAY partial text\nSLEEP 3\nSAY  and more")) {
      lastSeen = s.until("assistant_delta").get(0).id();
      s.until("assistant_delta");
    } // the client hangs up mid-turn
    try (SseReader w = watch(loopId, null)) {
      Frame snapshot = w.next();
      assertThat(snapshot.event()).isEqualTo("snapshot");
      assertThat(snapshot.json().path("assistant_text_so_far").asText()).startsWith("partial");
      assertThat(snapshot.json().path("pending_choice_id").isNull()).isTrue();
      assertThat(snapshot.id()).isNotNull();
      List<Frame> rest = w.untilEnd();
      assertThat(names(rest)).last().isEqualTo("done");
      assertThat(snapshot.json().path("assistant_text_so_far").asText() + text(rest))
          .isEqualTo("partial text and more");
    }
    // Last-Event-ID on /events: everything after that event, exactly.
    try (SseReader w = watch(loopId, lastSeen)) {
      List<Frame> replay = w.untilEnd();
      assertThat(replay.get(0).seq()).isEqualTo(Long.parseLong(lastSeen) + 1);
      assertThat(names(replay)).last().isEqualTo("done");
    }
  }

  @Test
  void givenIdempotencyKey_whenTheMessageIsSentAgain_thenTheSameEventsReplayAndADifferentBodyConflicts() {
    String loopId = newLoop(ann.token(), Map.of());
    String key = UUID.randomUUID().toString();
    List<Frame> original;
    try (SseReader s = send(loopId, ann.token(), "SAY hello\nSAY world", Map.of("Idempotency-Key", key))) {
      original = s.untilEnd();
    }
    List<Frame> replay;
    try (SseReader s = send(loopId, ann.token(), "SAY hello\nSAY world", Map.of("Idempotency-Key", key))) {
      replay = s.untilEnd();
    }
    assertThat(replay).isEqualTo(original);
    assertThat(call("GET", "/api/v1/loops/" + loopId, ann.token(), null).body()
        .path("turn_count").asInt()).isEqualTo(1);
    try (SseReader s = send(loopId, ann.token(), "SAY hello\nSAY world",
        Map.of("Idempotency-Key", key, "Last-Event-ID", original.get(1).id()))) {
      assertThat(s.untilEnd()).isEqualTo(original.subList(2, original.size()));
    }
    try (SseReader s = send(loopId, ann.token(), "something else", Map.of("Idempotency-Key", key))) {
      assertThat(s.status()).isEqualTo(409);
      JsonNode error = s.errorBody().path("error");
      assertThat(error.path("type").asText()).isEqualTo("conflict_error");
      assertThat(error.path("code").asText()).isEqualTo("idempotency_key_reused");
    }
  }

  @Test
  void givenReconnectDuringATurn_whenTheSameKeyIsSentAgain_thenReplayThenLive() {
    String loopId = newLoop(ann.token(), Map.of());
    String key = UUID.randomUUID().toString();
    String body = "SAY first\nSLEEP 2\nSAY second";
    Frame firstDelta;
    try (SseReader s = send(loopId, ann.token(), body, Map.of("Idempotency-Key", key))) {
      firstDelta = s.until("assistant_delta").get(0);
    }
    try (SseReader s = send(loopId, ann.token(), body, Map.of("Idempotency-Key", key))) {
      List<Frame> all = s.untilEnd();
      assertThat(names(all)).first().isEqualTo("started");
      assertThat(names(all)).last().isEqualTo("done");
      assertThat(text(all)).isEqualTo("firstsecond");
      assertThat(all).contains(firstDelta);
    }
  }
}
