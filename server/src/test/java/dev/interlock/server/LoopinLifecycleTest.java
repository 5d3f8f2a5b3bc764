package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole LoopIn lifecycle over HTTP against the embedded stack. */
class LoopinLifecycleTest {

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

  private static String create(String key, Map<String, Object> body) {
    Resp r = app.post("/interrupts", key, body);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  @Test
  void givenNewInterrupt_whenCreated_thenPendingWithSpecShape() {
    Instant before = Instant.now();
    Resp r = app.post("/interrupts", ADMIN_KEY, interrupt("user-shape", "Transfer $4,200",
        "context", Map.of("amount", 4200, "vendor", "Acme"), "urgency", "high", "expiresIn", 1800));

    assertThat(r.status()).isEqualTo(201);
    String id = r.text("interruptId");
    assertThat(r.body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("interruptId", "status", "expiresAt", "reviewUrl");
    assertThat(r.text("status")).isEqualTo("pending");
    // The configured base URL, the interrupt's path, and a signed review token.
    assertThat(r.text("reviewUrl")).matches(
        "http://interlock\\.test/review/" + id + "\\?token=\\d+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}");
    Instant expiresAt = Instant.parse(r.text("expiresAt"));
    assertThat(expiresAt).isBetween(before.plusSeconds(1799), Instant.now().plusSeconds(1801));

    Resp got = app.get("/interrupts/" + id, ADMIN_KEY);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.text("status")).isEqualTo("pending");
    assertThat(got.text("action")).isEqualTo("Transfer $4,200");
    assertThat(got.body().path("context").path("amount").asInt()).isEqualTo(4200);
    assertThat(got.text("urgency")).isEqualTo("high");
    assertThat(got.body().has("decision")).isTrue();
    assertThat(got.body().path("decision").isNull()).isTrue();
    assertThat(got.text("createdAt")).isNotNull();
  }

  @Test
  void givenDefaults_whenCreated_thenMediumUrgencyEmptyContextAndOneHour() {
    Instant before = Instant.now();
    String id = create(ADMIN_KEY, interrupt("user-defaults", "Delete records"));
    Resp got = app.get("/interrupts/" + id, ADMIN_KEY);
    assertThat(got.text("urgency")).isEqualTo("medium");
    assertThat(got.body().path("context").isObject()).isTrue();
    assertThat(got.body().path("context").size()).isZero();
    assertThat(Instant.parse(got.text("expiresAt")))
        .isBetween(before.plusSeconds(3599), Instant.now().plusSeconds(3601));
  }

  @Test
  void givenPending_whenLongPolledAndDecided_thenPollWakesPromptlyWithDecision() throws Exception {
    String id = create(ADMIN_KEY, interrupt("user-poll", "Send payment", "urgency", "low"));
    CompletableFuture<Resp> poll = CompletableFuture.supplyAsync(
        () -> app.get("/interrupts/" + id + "?wait=30", ADMIN_KEY));
    Thread.sleep(500);
    assertThat(poll).isNotDone();

    Resp decided = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "Invoice verified", "modifiedParams", Map.of("amount", 4000)));
    long decidedAt = System.nanoTime();
    Resp woke = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
    long wakeMillis = (System.nanoTime() - decidedAt) / 1_000_000;

    assertThat(decided.status()).isEqualTo(200);
    assertThat(decided.body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("interruptId", "status", "decision", "decidedAt");
    assertThat(decided.text("status")).isEqualTo("resolved");
    assertThat(decided.text("decision")).isEqualTo("approved");
    assertThat(woke.status()).isEqualTo(200);
    assertThat(woke.text("status")).isEqualTo("approved");
    assertThat(woke.text("reason")).isEqualTo("Invoice verified");
    assertThat(woke.body().path("modifiedParams").path("amount").asInt()).isEqualTo(4000);
    assertThat(woke.text("decidedAt")).isEqualTo(decided.text("decidedAt"));
    assertThat(wakeMillis).as("long-poll wake after the decide returned").isLessThan(1000);
  }

  @Test
  void givenPending_whenPolledWithShortWait_thenReturnsPendingAfterTheWait() {
    String id = create(ADMIN_KEY, interrupt("user-wait", "Wait for nothing"));
    long started = System.nanoTime();
    Resp r = app.get("/interrupts/" + id + "?wait=1", ADMIN_KEY);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("pending");
    assertThat(millis).isBetween(900L, 5000L);
  }

  @Test
  void givenDecided_whenPolledWithWait_thenAnswersAtOnce() {
    String id = create(ADMIN_KEY, interrupt("user-wait2", "Already decided"));
    app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "rejected"));
    long started = System.nanoTime();
    Resp r = app.get("/interrupts/" + id + "?wait=30", ADMIN_KEY);
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2000);
    assertThat(r.text("status")).isEqualTo("rejected");
  }

  @Test
  void givenDecided_whenDecidedAgain_thenConflictWithCurrentStatus() {
    String id = create(ADMIN_KEY, interrupt("user-twice", "Deploy"));
    assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "rejected", "reason", "not now")).status()).isEqualTo(200);

    Resp second = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.text("error")).isEqualTo("Interrupt is already rejected");
    Resp cancel = app.delete("/interrupts/" + id, ADMIN_KEY);
    assertThat(cancel.status()).isEqualTo(409);
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("rejected");
  }

  @Test
  void givenPending_whenTwoDecisionsRace_thenExactlyOneWins() throws Exception {
    for (int round = 0; round < 5; round++) {
      String id = create(ADMIN_KEY, interrupt("user-race", "Race " + round));
      var a = CompletableFuture.supplyAsync(() -> app.post("/interrupts/" + id + "/decide",
          ADMIN_KEY, Map.of("decision", "approved")));
      var b = CompletableFuture.supplyAsync(() -> app.post("/interrupts/" + id + "/decide",
          ADMIN_KEY, Map.of("decision", "rejected")));
      List<Integer> statuses = List.of(a.get().status(), b.get().status());
      assertThat(statuses).containsExactlyInAnyOrder(200, 409);
      String winner = a.get().status() == 200 ? "approved" : "rejected";
      assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo(winner);
      long decisionEvents = app.jdbi().withHandle(h -> h.createQuery(
          "select count(*) from interrupt_events where interrupt_id = cast(:id as uuid)"
              + " and event in ('approved','rejected')").bind("id", id).mapTo(Long.class).one());
      assertThat(decisionEvents).isEqualTo(1);
    }
  }

  @Test
  void givenPending_whenCancelled_thenCancelledAndNoLongerPending() {
    String id = create(ADMIN_KEY, interrupt("user-cancel", "Email customer"));
    Resp r = app.delete("/interrupts/" + id, ADMIN_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("interruptId")).isEqualTo(id);
    assertThat(r.text("status")).isEqualTo("cancelled");
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("cancelled");
    Resp decide = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(decide.status()).isEqualTo(409);
    assertThat(decide.text("error")).isEqualTo("Interrupt is already cancelled");
  }

  @Test
  void givenShortExpiry_whenNobodyDecides_thenExpiredAndLateDecisionConflicts() {
    String id = create(ADMIN_KEY, interrupt("user-expiry", "Rotate keys", "expiresIn", 1));
    Resp polled = app.get("/interrupts/" + id + "?wait=10", ADMIN_KEY);
    assertThat(polled.text("status")).isEqualTo("expired");
    Instant expiresAt = Instant.parse(polled.text("expiresAt"));
    Instant decidedAt = Instant.parse(polled.text("decidedAt"));
    assertThat(Duration.between(expiresAt, decidedAt).toMillis()).isBetween(0L, 1000L);

    Resp late = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.text("error")).isEqualTo("Interrupt is already expired");
  }

  @Test
  void givenSeveralInterrupts_whenPendingListed_thenOnlyPendingOfThatUserNewestFirst() throws Exception {
    String user = "user-list";
    String first = create(ADMIN_KEY, interrupt(user, "First"));
    Thread.sleep(5);
    String second = create(ADMIN_KEY, interrupt(user, "Second", "urgency", "critical"));
    String decided = create(ADMIN_KEY, interrupt(user, "Decided"));
    create(ADMIN_KEY, interrupt("someone-else", "Other user"));
    app.post("/interrupts/" + decided + "/decide", ADMIN_KEY, Map.of("decision", "approved"));

    Resp r = app.get("/interrupts/pending/" + user, ADMIN_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().isArray()).isTrue();
    assertThat(r.body()).extracting(n -> n.path("interruptId").asText()).containsExactly(second, first);
    var item = r.body().get(0);
    assertThat(item.path("urgency").asText()).isEqualTo("high");
    assertThat(item.path("reviewUrl").asText()).contains("/review/" + second + "?token=");
    assertThat(item.has("action") && item.has("createdAt") && item.has("expiresAt")).isTrue();
  }

  @Test
  void givenDecisions_whenAnalysed_thenRatesCountsAndTopActions() {
    String user = "user-analytics";
    String a = create(ADMIN_KEY, interrupt(user, "Send payment", "urgency", "high"));
    String b = create(ADMIN_KEY, interrupt(user, "Send payment", "urgency", "low"));
    String c = create(ADMIN_KEY, interrupt(user, "Delete records"));
    create(ADMIN_KEY, interrupt(user, "Delete records"));
    app.post("/interrupts/" + a + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    app.post("/interrupts/" + b + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    app.post("/interrupts/" + c + "/decide", ADMIN_KEY, Map.of("decision", "rejected"));

    Resp r = app.get("/analytics/" + user, ADMIN_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("userId")).isEqualTo(user);
    assertThat(r.body().path("totalInterrupts").asInt()).isEqualTo(4);
    assertThat(r.body().path("approvalRate").asDouble()).isEqualTo(0.667);
    assertThat(r.body().path("avgResponseTimeMs").isNumber()).isTrue();
    assertThat(r.body().path("byStatus").path("approved").asInt()).isEqualTo(2);
    assertThat(r.body().path("byStatus").path("rejected").asInt()).isEqualTo(1);
    assertThat(r.body().path("byStatus").path("pending").asInt()).isEqualTo(1);
    assertThat(r.body().path("byUrgency").path("medium").asInt()).isEqualTo(2);
    assertThat(r.body().path("topActionTypes").get(0).path("count").asInt()).isEqualTo(2);

    Resp empty = app.get("/analytics/nobody-here", ADMIN_KEY);
    assertThat(empty.body().path("totalInterrupts").asInt()).isZero();
    assertThat(empty.body().path("approvalRate").isNull()).isTrue();
    assertThat(empty.body().path("avgResponseTimeMs").isNull()).isTrue();
  }

  @Test
  void givenAnotherOwnersInterrupt_whenTouched_thenNotFoundEverywhere() {
    String otherKey = app.keyFor("owner-tenant-b");
    String id = create(ADMIN_KEY, interrupt("user-tenancy", "Mine only"));

    assertThat(app.get("/interrupts/" + id, otherKey).status()).isEqualTo(404);
    assertThat(app.get("/interrupts/" + id + "?wait=1", otherKey).status()).isEqualTo(404);
    assertThat(app.post("/interrupts/" + id + "/decide", otherKey,
        Map.of("decision", "approved")).status()).isEqualTo(404);
    assertThat(app.delete("/interrupts/" + id, otherKey).status()).isEqualTo(404);
    assertThat(app.get("/interrupts/pending/user-tenancy", otherKey).body()).isEmpty();
    assertThat(app.get("/analytics/user-tenancy", otherKey).body().path("totalInterrupts").asInt())
        .isZero();
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");

    String theirs = create(otherKey, interrupt("user-tenancy", "Theirs"));
    assertThat(app.get("/interrupts/" + theirs, ADMIN_KEY).status()).isEqualTo(404);
  }

  @Test
  void givenIdempotencyKey_whenCreatedTwice_thenSameInterrupt() {
    var body = interrupt("user-idem", "Charge card");
    Resp first = app.post("/interrupts", ADMIN_KEY, body, Map.of("Idempotency-Key", "charge-42"));
    Resp second = app.post("/interrupts", ADMIN_KEY, body, Map.of("Idempotency-Key", "charge-42"));
    Resp other = app.post("/interrupts", ADMIN_KEY, body, Map.of("Idempotency-Key", "charge-43"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.text("interruptId")).isEqualTo(first.text("interruptId"));
    assertThat(second.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(other.text("interruptId")).isNotEqualTo(first.text("interruptId"));
  }

  @Test
  void givenIdempotencyKey_whenSameDecisionRetried_thenAppliedOnceAndBothSucceed() {
    String id = create(ADMIN_KEY, interrupt("user-idem-decide", "Retry-safe decide"));
    var headers = Map.of("Idempotency-Key", "decide-" + id);
    Resp first = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "first"), headers);
    Resp retry = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "first"), headers);
    Resp otherKey = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "rejected"), Map.of("Idempotency-Key", "someone-else"));
    Resp noKey = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));

    assertThat(first.status()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(otherKey.status()).isEqualTo(409);
    assertThat(noKey.status()).isEqualTo(409);
    long decisions = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from interrupt_events where interrupt_id = cast(:id as uuid) and event = 'approved'")
        .bind("id", id).mapTo(Long.class).one());
    assertThat(decisions).isEqualTo(1);
  }

  @Test
  void givenAnyCaller_whenHealthAsked_thenOkWithoutKey() {
    Resp r = app.get("/health", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("ok");
    assertThat(Instant.parse(r.text("timestamp"))).isBefore(Instant.now().plusSeconds(1));
    assertThat(r.body().path("checks").path("database").asText()).isEqualTo("ok");
    assertThat(r.body().path("checks").path("temporal").asText()).isEqualTo("ok");
    // The mode this run asked for, and search attributes exactly on a real server.
    assertThat(r.body().path("details").path("temporalMode").asText()).isEqualTo(TestTemporal.mode());
    assertThat(r.body().path("details").path("searchAttributes").asBoolean())
        .isEqualTo(TestTemporal.devServer());
  }

  @Test
  void givenDecision_thenAuditTrailRecordsCreateAndDecisionWithActor() {
    String id = create(ADMIN_KEY, interrupt("user-audit", "Audited"));
    app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved", "reason", "fine"));
    List<Map<String, Object>> events = app.jdbi().withHandle(h -> h.createQuery(
        "select event, actor, details->>'actorId' as actor_id from interrupt_events"
            + " where interrupt_id = cast(:id as uuid) order by id")
        .bind("id", id).mapToMap().list());
    assertThat(events).extracting(e -> e.get("event")).containsExactly("created", "approved");
    // The key's name where people read it, its id beside it.
    assertThat(events).extracting(e -> (String) e.get("actor"))
        .containsOnly("admin (INTERLOCK_ADMIN_KEY)");
    assertThat(events).extracting(e -> (String) e.get("actor_id")).allMatch(a -> a.startsWith("key:"));
    String decidedById = app.jdbi().withHandle(h -> h.createQuery(
        "select decided_by_id from interrupts where id = cast(:id as uuid)")
        .bind("id", id).mapTo(String.class).one());
    assertThat(decidedById).isEqualTo(events.get(1).get("actor_id"));

    Resp trail = app.get("/interrupts/" + id + "/events", ADMIN_KEY);
    assertThat(trail.status()).isEqualTo(200);
    assertThat(trail.body()).extracting(n -> n.path("event").asText()).containsExactly("created", "approved");
    assertThat(trail.body().get(1).path("details").path("reason").asText()).isEqualTo("fine");
    assertThat(Instant.parse(trail.body().get(0).path("timestamp").asText())).isBefore(Instant.now());
    assertThat(app.get("/interrupts/" + id + "/events", app.keyFor("owner-audit-b")).status()).isEqualTo(404);
  }
}
