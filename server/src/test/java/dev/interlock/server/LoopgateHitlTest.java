package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Loopgate dialect over HTTP: sessions, requests, answers, cancel, timeout, long-poll. */
class LoopgateHitlTest {

  @TempDir static Path data;
  static TestApp app;
  static CallbackReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
    receiver.close();
  }

  private static void register(String key, String session) {
    Resp r = app.post("/hitl/register", key, Map.of("session_id", session, "client_id", "ci-bot"));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
  }

  private static String request(String key, String session, Map<String, Object> extra) {
    var body = new java.util.HashMap<String, Object>(Map.of(
        "session_id", session, "client_id", "ci-bot", "message", "Deploy v2.1.0?"));
    body.putAll(extra);
    Resp r = app.post("/hitl/request", key, body);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.text("request_id");
  }

  @Test
  void givenSession_whenRegisteredAndQueried_thenActiveThenInactive() {
    Resp reg = app.post("/hitl/register", ADMIN_KEY,
        Map.of("session_id", "deploy-bot", "client_id", "ci-cd", "telegram_id", 123456789));
    assertThat(reg.status()).isEqualTo(200);
    assertThat(reg.body().path("success").asBoolean()).isTrue();
    assertThat(reg.text("session_id")).isEqualTo("deploy-bot");
    assertThat(reg.text("message")).isEqualTo("Session registered successfully");

    Resp status = app.get("/hitl/status?session_id=deploy-bot", ADMIN_KEY);
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.text("id")).isEqualTo("deploy-bot");
    assertThat(status.text("client_id")).isEqualTo("ci-cd");
    assertThat(status.body().path("telegram_id").asLong()).isEqualTo(123456789L);
    assertThat(status.body().path("active").asBoolean()).isTrue();

    Resp off = app.post("/hitl/deactivate", ADMIN_KEY, Map.of("session_id", "deploy-bot"));
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.text("message")).isEqualTo("Session deactivated successfully");
    assertThat(app.get("/hitl/status?session_id=deploy-bot", ADMIN_KEY).body().path("active").asBoolean())
        .isFalse();

    Resp inactive = app.post("/hitl/request", ADMIN_KEY,
        Map.of("session_id", "deploy-bot", "client_id", "ci-cd", "message", "Go?"));
    assertThat(inactive.status()).isEqualTo(400);
    assertThat(inactive.text("error")).isEqualTo("Session is not active");

    register(ADMIN_KEY, "deploy-bot"); // re-registering re-activates
    assertThat(app.get("/hitl/status?session_id=deploy-bot", ADMIN_KEY).body().path("active").asBoolean())
        .isTrue();
  }

  @Test
  void givenChoiceRequest_whenAnsweredWithOption_thenCompletedApprovedWithResponse() throws Exception {
    register(ADMIN_KEY, "s-choice");
    Resp created = app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-choice",
        "client_id", "ci-bot", "message", "Deploy?", "options", List.of("Deploy", "Hold"),
        "metadata", Map.of("version", "v2.1.0")));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.body().path("success").asBoolean()).isTrue();
    assertThat(created.text("status")).isEqualTo("pending");
    assertThat(Instant.parse(created.text("created_at"))).isBefore(Instant.now().plusSeconds(1));
    String id = created.text("request_id");

    Resp pending = app.get("/hitl/pending", ADMIN_KEY);
    JsonNode item = null;
    for (JsonNode n : pending.body().path("pending_requests")) {
      if (n.path("id").asText().equals(id)) {
        item = n;
      }
    }
    assertThat(item).isNotNull();
    assertThat(pending.body().path("count").asInt()).isEqualTo(pending.body().path("pending_requests").size());
    assertThat(item.path("request_type").asText()).isEqualTo("choice");
    assertThat(item.path("options")).extracting(JsonNode::asText).containsExactly("Deploy", "Hold");
    assertThat(item.path("timeout_seconds").asInt()).isEqualTo(300);
    assertThat(item.path("metadata").path("version").asText()).isEqualTo("v2.1.0");
    assertThat(item.path("session_id").asText()).isEqualTo("s-choice");

    CompletableFuture<Resp> poll = CompletableFuture.supplyAsync(
        () -> app.get("/hitl/poll?request_id=" + id + "&wait=20", ADMIN_KEY));
    Thread.sleep(300);
    assertThat(poll).isNotDone();
    Resp answered = app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id, "response", "Deploy"));
    assertThat(answered.status()).as(answered.raw().body()).isEqualTo(200);

    Resp polled = poll.get(10, TimeUnit.SECONDS);
    assertThat(polled.body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("request_id", "status", "response", "approved", "completed");
    assertThat(polled.text("status")).isEqualTo("completed");
    assertThat(polled.text("response")).isEqualTo("Deploy");
    assertThat(polled.body().path("approved").asBoolean()).isTrue();
    assertThat(polled.body().path("completed").asBoolean()).isTrue();

    // The same request through the LoopIn door, in LoopIn's words.
    Resp loopin = app.get("/interrupts/" + id, ADMIN_KEY);
    assertThat(loopin.text("status")).isEqualTo("approved");
    assertThat(loopin.text("action")).isEqualTo("Deploy?");
  }

  @Test
  void givenFreeTextRejection_whenAnswered_thenNotApproved() {
    register(ADMIN_KEY, "s-reject");
    String id = request(ADMIN_KEY, "s-reject", Map.of());
    Resp r = app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id, "response", "Deny"));
    assertThat(r.status()).isEqualTo(200);
    Resp polled = app.get("/hitl/poll?request_id=" + id, ADMIN_KEY);
    assertThat(polled.text("status")).isEqualTo("completed");
    assertThat(polled.text("response")).isEqualTo("Deny");
    assertThat(polled.body().path("approved").asBoolean()).isFalse();
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("rejected");

    String explicit = request(ADMIN_KEY, "s-reject", Map.of());
    app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", explicit, "response", "looks risky", "approved", false));
    assertThat(app.get("/hitl/poll?request_id=" + explicit, ADMIN_KEY).body().path("approved").asBoolean()).isFalse();

    Resp again = app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id, "response", "yes"));
    assertThat(again.status()).isEqualTo(409);
  }

  @Test
  void givenLoopgateRequest_whenDecidedThroughLoopin_thenLoopgateSeesCompleted() {
    register(ADMIN_KEY, "s-cross");
    String id = request(ADMIN_KEY, "s-cross", Map.of("request_type", "confirmation"));
    assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "rejected"))
        .status()).isEqualTo(200);
    Resp polled = app.get("/hitl/poll?request_id=" + id, ADMIN_KEY);
    assertThat(polled.text("status")).isEqualTo("completed");
    assertThat(polled.text("response")).isEqualTo("rejected");
    assertThat(polled.body().path("approved").asBoolean()).isFalse();
  }

  @Test
  void givenPendingRequest_whenCancelled_thenCanceledAndOnlyOnce() {
    register(ADMIN_KEY, "s-cancel");
    String id = request(ADMIN_KEY, "s-cancel", Map.of());
    Resp r = app.post("/hitl/cancel", ADMIN_KEY, Map.of("request_id", id));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("message")).isEqualTo("Request canceled successfully");
    Resp polled = app.get("/hitl/poll?request_id=" + id, ADMIN_KEY);
    assertThat(polled.text("status")).isEqualTo("canceled");
    assertThat(polled.body().path("completed").asBoolean()).isTrue();
    assertThat(app.post("/hitl/cancel", ADMIN_KEY, Map.of("request_id", id)).status()).isEqualTo(409);
  }

  @Test
  void givenShortTimeout_whenNobodyAnswers_thenTimeoutEnforcedAndCallbackSent() throws Exception {
    register(ADMIN_KEY, "s-timeout");
    String id = request(ADMIN_KEY, "s-timeout",
        Map.of("timeout_seconds", 1, "callback_url", receiver.url("/loopgate-timeout")));
    Resp polled = app.get("/hitl/poll?request_id=" + id + "&wait=10", ADMIN_KEY);
    assertThat(polled.text("status")).isEqualTo("timeout");
    assertThat(polled.body().path("completed").asBoolean()).isTrue();
    assertThat(polled.body().path("approved").asBoolean()).isFalse();

    assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to("/loopgate-timeout").isEmpty())).isTrue();
    JsonNode callback = TestApp.JSON.readTree(receiver.to("/loopgate-timeout").get(0).body());
    assertThat(callback.path("request_id").asText()).isEqualTo(id);
    assertThat(callback.path("status").asText()).isEqualTo("timeout");
    assertThat(callback.path("completed").asBoolean()).isTrue();
    assertThat(receiver.to("/loopgate-timeout").get(0).header("X-Interlock-Signature")).startsWith("t=");

    Resp late = app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", id, "response", "ok"));
    assertThat(late.status()).isEqualTo(409);
  }

  @Test
  void givenBadRequests_thenClearErrors() {
    register(ADMIN_KEY, "s-bad");
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "nope", "client_id", "c",
        "message", "m")).status()).isEqualTo(404);
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-bad", "client_id", "c"))
        .text("error")).isEqualTo("message is required");
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-bad", "client_id", "c",
        "message", "m", "request_type", "choice")).text("error")).isEqualTo("a choice request needs options");
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-bad", "client_id", "c",
        "message", "m", "request_type", "poll")).status()).isEqualTo(400);
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-bad", "client_id", "c",
        "message", "m", "options", "yes")).text("error")).isEqualTo("options must be an array of strings");
    assertThat(app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "s-bad", "client_id", "c",
        "message", "m", "timeout_seconds", -1)).status()).isEqualTo(400);
    assertThat(app.post("/hitl/register", ADMIN_KEY, Map.of("session_id", "x")).text("error"))
        .isEqualTo("client_id is required");
    assertThat(app.get("/hitl/poll", ADMIN_KEY).text("error")).isEqualTo("Missing request_id parameter");
    assertThat(app.get("/hitl/poll?request_id=nope", ADMIN_KEY).status()).isEqualTo(404);
    assertThat(app.get("/hitl/status", ADMIN_KEY).status()).isEqualTo(400);
    assertThat(app.get("/hitl/status?session_id=nope", ADMIN_KEY).status()).isEqualTo(404);
    assertThat(app.post("/hitl/deactivate", ADMIN_KEY, Map.of("session_id", "nope")).status()).isEqualTo(404);
    assertThat(app.post("/hitl/cancel", ADMIN_KEY, Map.of()).status()).isEqualTo(400);
    assertThat(app.post("/hitl/respond", ADMIN_KEY, Map.of("request_id", "nope", "response", "x"))
        .status()).isEqualTo(404);
    assertThat(app.post("/hitl/register", null, Map.of("session_id", "x", "client_id", "c")).status())
        .isEqualTo(401);
  }

  @Test
  void givenAnotherOwner_thenSessionsAndRequestsAreInvisible() {
    String other = app.keyFor("owner-loopgate-b");
    register(ADMIN_KEY, "s-tenant");
    String id = request(ADMIN_KEY, "s-tenant", Map.of());

    assertThat(app.get("/hitl/status?session_id=s-tenant", other).status()).isEqualTo(404);
    assertThat(app.post("/hitl/request", other, Map.of("session_id", "s-tenant", "client_id", "c",
        "message", "m")).status()).isEqualTo(404);
    assertThat(app.get("/hitl/poll?request_id=" + id, other).status()).isEqualTo(404);
    assertThat(app.post("/hitl/respond", other, Map.of("request_id", id, "response", "yes")).status())
        .isEqualTo(404);
    assertThat(app.post("/hitl/cancel", other, Map.of("request_id", id)).status()).isEqualTo(404);
    assertThat(app.post("/hitl/deactivate", other, Map.of("session_id", "s-tenant")).status()).isEqualTo(404);
    assertThat(app.get("/hitl/pending", other).body().path("count").asInt()).isZero();
    // Same session name for another owner is that owner's own session.
    register(other, "s-tenant");
    assertThat(app.get("/hitl/status?session_id=s-tenant", ADMIN_KEY).body().path("active").asBoolean())
        .isTrue();
    assertThat(app.get("/hitl/poll?request_id=" + id, ADMIN_KEY).text("status")).isEqualTo("pending");
  }

  @Test
  void givenScopedKeys_thenEachHitlRouteDemandsItsScope() {
    String owner = "owner-loopgate-scopes";
    String all = app.keyFor(owner);
    String readOnly = app.keyFor(owner, java.util.Set.of("request:read"));
    String createOnly = app.keyFor(owner, java.util.Set.of("request:create"));
    register(all, "s-scoped");
    String id = request(all, "s-scoped", Map.of());

    Resp denied = app.post("/hitl/request", readOnly, Map.of("session_id", "s-scoped",
        "client_id", "c", "message", "m"));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.text("error")).contains("request:create");
    assertThat(app.post("/hitl/register", readOnly, Map.of("session_id", "x", "client_id", "c")).status())
        .isEqualTo(403);
    assertThat(app.post("/hitl/respond", createOnly, Map.of("request_id", id, "response", "ok")).status())
        .isEqualTo(403);
    assertThat(app.post("/hitl/cancel", readOnly, Map.of("request_id", id)).status()).isEqualTo(403);
    assertThat(app.get("/hitl/poll?request_id=" + id, createOnly).status()).isEqualTo(403);
    assertThat(app.get("/hitl/poll?request_id=" + id, readOnly).status()).isEqualTo(200);
    assertThat(app.get("/hitl/pending", readOnly).status()).isEqualTo(200);
    assertThat(app.post("/hitl/request", createOnly, Map.of("session_id", "s-scoped",
        "client_id", "c", "message", "m")).status()).isEqualTo(200);
  }
}
