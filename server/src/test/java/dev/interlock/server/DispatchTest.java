package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.service.engine.DispatchService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's dispatch over HTTP on the real application: claims exactly once under concurrent
 * callers, in score order, blocked and gated issues skipped, 204 when nothing is left, the
 * queue sorted before it is paged, and the approval gate decided through LoopIn's door (on
 * the run's Temporal: embedded, and the dev server in the second run).
 */
class DispatchTest {

  @TempDir static Path data;
  static TestApp app;
  DispatchFixtures ws;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void workspace() {
    ws = new DispatchFixtures(app);
  }

  Resp next(String query) {
    return app.get("/api/dispatch/next" + query, ws.key);
  }

  String claim() {
    Resp r = next("");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.body().path("issue").path("id").asText();
  }

  // ---- claims ----------------------------------------------------------------------------

  @Test
  void givenSixteenConcurrentCallers_whenTheyDrainTheQueue_thenEachIssueIsClaimedExactlyOnce()
      throws Exception {
    int issues = 48;
    Set<String> created = new HashSet<>();
    for (int i = 0; i < issues; i++) {
      created.add(ws.issue("work " + i, i % 2 == 0 ? "task" : "signal", i % 5).id());
    }
    int callers = 16;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    List<String> claims = Collections.synchronizedList(new ArrayList<>());
    List<Integer> unexpected = Collections.synchronizedList(new ArrayList<>());
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      done.add(pool.submit(() -> {
        go.await();
        while (true) {
          Resp r = next("");
          if (r.status() == 204) {
            return null;
          }
          if (r.status() != 200) {
            unexpected.add(r.status());
            return null;
          }
          claims.add(r.body().path("issue").path("id").asText());
        }
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();

    assertThat(unexpected).isEmpty();
    assertThat(claims).hasSize(issues).doesNotHaveDuplicates();
    assertThat(new HashSet<>(claims)).isEqualTo(created);
    long inProgress = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_issues where owner_id = :o and status = 'in_progress'")
        .bind("o", ws.ownerId).mapTo(Long.class).one());
    long openLeases = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_dispatches where owner_id = :o and ended_at is null")
        .bind("o", ws.ownerId).mapTo(Long.class).one());
    assertThat(inProgress).isEqualTo(issues);
    assertThat(openLeases).isEqualTo(issues);
    assertThat(next("").status()).isEqualTo(204);
  }

  /** Six issues whose scores differ by priority, type, age and goal; made worst first. */
  List<IssueRow> scoredSix() {
    String withGoal = ws.project("active", false);
    String withAchievedGoal = ws.project("achieved", true);
    IssueRow f = ws.issue("F task p4 goal", "task", 4, "todo", withGoal);      // 25+20+0+20 = 65
    IssueRow e = ws.issue("E plan p4 3d", "plan", 4, "todo", withAchievedGoal); // 25+0+3+30 = 58
    ws.age(e, 3);
    IssueRow d = ws.issue("D hypothesis p3 goal", "hypothesis", 3, "todo", withGoal); // 110
    IssueRow c = ws.issue("C monitor p0 100d", "monitor", 0);                  // 10+100+10 = 120
    ws.age(c, 100);
    IssueRow a = ws.issue("A task p1", "task", 1);                              // 100+20 = 120
    IssueRow b = ws.issue("B signal p2", "signal", 2);                          // 75+50 = 125
    return List.of(b, c, a, d, f, e);
  }

  @Test
  void givenIssuesOfDifferentPrioritiesTypesAgesAndGoals_whenOneCallerClaims_thenBestScoreFirst() {
    List<IssueRow> expected = scoredSix();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      order.add(claim());
    }
    // B 125; C and A 120 (the older first); D 110; F 65; E 58 (its goal is achieved).
    assertThat(order).containsExactlyElementsOf(expected.stream().map(IssueRow::id).toList());
    assertThat(next("").status()).isEqualTo(204);
  }

  @Test
  void givenScoredQueue_whenPaged_thenTheWholeQueueIsSortedBeforePagingWithItsBreakdown() {
    List<IssueRow> expected = scoredSix();
    Resp first = app.get("/api/dispatch/queue?limit=2", ws.key);
    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(first.body().path("total").asInt()).isEqualTo(6);
    assertThat(ids(first)).containsExactly(expected.get(0).id(), expected.get(1).id());
    Resp second = app.get("/api/dispatch/queue?limit=2&offset=2", ws.key);
    assertThat(ids(second)).containsExactly(expected.get(2).id(), expected.get(3).id());
    Resp third = app.get("/api/dispatch/queue?page=3&limit=2", ws.key);
    assertThat(ids(third)).containsExactly(expected.get(4).id(), expected.get(5).id());

    Resp all = app.get("/api/dispatch/queue", ws.key);
    assertThat(ids(all)).containsExactlyElementsOf(expected.stream().map(IssueRow::id).toList());
    List<Integer> scores = new ArrayList<>();
    all.body().path("data").forEach(q -> scores.add(q.path("score").asInt()));
    assertThat(scores).containsExactly(125, 120, 120, 110, 65, 58);
    JsonNode c = all.body().path("data").get(1);
    assertThat(c.path("issue").path("title").asText()).startsWith("C ");
    assertThat(c.path("breakdown").path("priorityWeight").asInt()).isEqualTo(10);
    assertThat(c.path("breakdown").path("ageBonus").asInt()).isEqualTo(100);
    assertThat(c.path("breakdown").path("typeBonus").asInt()).isEqualTo(10);
    assertThat(c.path("breakdown").path("goalBonus").asInt()).isEqualTo(0);
    JsonNode d = all.body().path("data").get(3);
    assertThat(d.path("breakdown").path("goalBonus").asInt()).isEqualTo(20);
    assertThat(d.path("issue").path("status").asText()).isEqualTo("todo");

    // The queue claims nothing; a project's queue holds only its issues.
    assertThat(app.get("/api/dispatch/queue", ws.key).body().path("total").asInt()).isEqualTo(6);
    String project = expected.get(3).projectId();
    Resp projects = app.get("/api/dispatch/queue?projectId=" + project, ws.key);
    assertThat(ids(projects)).containsExactly(expected.get(3).id(), expected.get(4).id());
    Resp claimed = next("?projectId=" + project);
    assertThat(claimed.body().path("issue").path("id").asText()).isEqualTo(expected.get(3).id());
  }

  @Test
  void givenBadPaging_whenTheQueueIsAsked_then400WithLoopsError() {
    for (String q : List.of("limit=0", "limit=201", "offset=-1", "limit=x", "page=0")) {
      Resp r = app.get("/api/dispatch/queue?" + q, ws.key);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.body().path("error").asText()).as(q).isNotBlank();
    }
  }

  @Test
  void givenClaim_whenAnswered_thenIssueInProgressPromptWithoutCredentialsAndALease() {
    IssueRow issue = ws.issue("Login failures spiked", "signal", 2);
    Instant before = Instant.now();
    Resp r = next("");
    assertThat(r.status()).isEqualTo(200);
    JsonNode body = r.body();
    assertThat(body.path("issue").path("id").asText()).isEqualTo(issue.id());
    assertThat(body.path("issue").path("number").asInt()).isEqualTo(issue.number());
    assertThat(body.path("issue").path("status").asText()).isEqualTo("in_progress");
    assertThat(body.path("issue").path("type").asText()).isEqualTo("signal");
    assertThat(body.path("issue").path("priority").asInt()).isEqualTo(2);
    assertThat(body.path("prompt").asText()).contains("Login failures spiked")
        .doesNotContain(ws.key).doesNotContain(TestApp.ADMIN_KEY);
    // The workspace's default template for signals rendered it (its first use is counted).
    JsonNode meta = body.path("meta");
    assertThat(meta.path("templateSlug").asText()).isEqualTo("signal-triage");
    assertThat(meta.path("templateId").asText()).startsWith("tpl_");
    assertThat(meta.path("versionId").asText()).startsWith("ver_");
    assertThat(meta.path("versionNumber").asInt()).isEqualTo(1);
    assertThat(meta.path("reviewUrl").asText()).isEqualTo("POST /api/prompt-reviews");
    Integer used = app.jdbi().withHandle(h -> h.createQuery(
        "select usage_count from engine_template_versions where id = :id")
        .bind("id", meta.path("versionId").asText()).mapTo(Integer.class).one());
    assertThat(used).isEqualTo(1);
    JsonNode lease = body.path("lease");
    assertThat(lease.path("dispatchId").asText()).startsWith("dsp_");
    assertThat(lease.path("issueId").asText()).isEqualTo(issue.id());
    assertThat(lease.path("durationSeconds").asLong()).isEqualTo(1800);
    Instant expires = Instant.parse(lease.path("expiresAt").asText());
    assertThat(expires).isBetween(before.plus(Duration.ofMinutes(29)),
        Instant.now().plus(Duration.ofMinutes(31)));
    assertThat(ws.read(issue).status()).isEqualTo("in_progress");
    assertThat(ws.dispatches(issue)).hasSize(1);
    assertThat(ws.dispatches(issue).get(0).get("ended_at")).isNull();
    // Every string of the answer: no key anywhere.
    assertThat(r.raw().body()).doesNotContain(ws.key);
  }

  @Test
  void givenClaimsOfOneVersion_whenTheyEnd_thenItsCompletionRateAndMeanDurationAreKept()
      throws Exception {
    IssueRow first = ws.issue("Checkout errors", "signal", 1);
    IssueRow second = ws.issue("Slow search", "signal", 2);
    Resp a = next("");
    Resp b = next("");
    assertThat(a.body().path("issue").path("id").asText()).isEqualTo(first.id());
    assertThat(b.body().path("issue").path("id").asText()).isEqualTo(second.id());
    String template = a.body().path("meta").path("templateId").asText();
    String version = a.body().path("meta").path("versionId").asText();
    assertThat(b.body().path("meta").path("versionId").asText()).isEqualTo(version);
    JsonNode before = version(template, version);
    assertThat(before.path("completionRate").isNull()).as(before.toString()).isTrue();
    assertThat(before.path("avgDurationMs").isNull()).isTrue();
    Thread.sleep(50); // a completed claim lasts a measurable time
    // Done through Loop's own door, then the other claim goes back to the queue.
    assertThat(patchStatus(first, "done").status()).isEqualTo(200);
    JsonNode one = version(template, version);
    assertThat(one.path("completionRate").asDouble()).isEqualTo(1.0);
    assertThat(one.path("avgDurationMs").asDouble()).isGreaterThanOrEqualTo(50.0);
    assertThat(patchStatus(second, "todo").status()).isEqualTo(200);
    JsonNode two = version(template, version);
    assertThat(two.path("completionRate").asDouble()).isEqualTo(0.5);
    assertThat(two.path("avgDurationMs").asDouble())
        .isEqualTo(one.path("avgDurationMs").asDouble());
  }

  private Resp patchStatus(IssueRow issue, String status) {
    return app.send(app.builder("/api/issues/" + issue.id(), ws.key)
        .header("Content-Type", "application/json")
        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"status\":\"" + status + "\"}")));
  }

  private JsonNode version(String templateId, String versionId) {
    Resp r = app.get("/api/templates/" + templateId + "/versions?limit=100", ws.key);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    for (JsonNode v : r.body().path("data")) {
      if (v.path("id").asText().equals(versionId)) {
        return v;
      }
    }
    throw new AssertionError("no version " + versionId + " in " + r.body());
  }

  @Test
  void givenNothingEligible_whenNext_then204AndAnEmptyQueue() {
    assertThat(next("").status()).isEqualTo(204);
    assertThat(next("").raw().body()).isEmpty();
    ws.issue("in triage", "signal", 1, "triage", null);
    ws.issue("backlog", "task", 1, "backlog", null);
    ws.issue("done", "task", 1, "done", null);
    ws.issue("canceled", "task", 1, "canceled", null);
    ws.delete(ws.issue("deleted", "task", 1));
    Resp r = next("");
    assertThat(r.status()).isEqualTo(204);
    Resp queue = app.get("/api/dispatch/queue", ws.key);
    assertThat(queue.body().path("data").size()).isZero();
    assertThat(queue.body().path("total").asInt()).isZero();
    // Another workspace's queue is its own.
    DispatchFixtures other = new DispatchFixtures(app);
    other.issue("theirs", "task", 1);
    assertThat(next("").status()).isEqualTo(204);
    assertThat(next("?projectId=proj_unknown").status()).isEqualTo(204);
  }

  @Test
  void givenBlockedIssues_whenDispatched_thenSkippedUntilTheirBlockersAreDone() {
    IssueRow blocker = ws.issue("blocker", "task", 4);           // 45
    IssueRow blocked = ws.issue("blocked", "signal", 1);         // 150, blocked_by blocker
    ws.relate(blocked, "blocked_by", blocker);
    IssueRow master = ws.issue("master", "monitor", 4);          // 35
    IssueRow held = ws.issue("held", "signal", 2);               // 125, master blocks it
    ws.relate(master, "blocks", held);
    IssueRow gone = ws.issue("gone", "task", 4);
    IssueRow freedByDeletion = ws.issue("freed", "hypothesis", 1); // blocked by a deleted one
    ws.relate(freedByDeletion, "blocked_by", gone);
    ws.delete(gone);
    IssueRow related = ws.issue("related", "plan", 1);           // 'related' never blocks
    ws.relate(related, "related", master);

    Resp queue = app.get("/api/dispatch/queue", ws.key);
    assertThat(ids(queue)).containsExactly(freedByDeletion.id(), related.id(), blocker.id(),
        master.id());

    assertThat(claim()).isEqualTo(freedByDeletion.id());
    assertThat(claim()).isEqualTo(related.id());
    assertThat(claim()).isEqualTo(blocker.id());
    // The blocker is done: completing it says what it unblocked; then that one is claimed.
    ws.status(blocker, "done");
    DispatchService.Completion done = app.engine().dispatch().complete(ws.ownerId, blocker.id());
    assertThat(done.unblockedIssueIds()).containsExactly(blocked.id());
    assertThat(done.dispatchId()).isNotNull();
    assertThat(ws.dispatches(blocker).get(0).get("outcome")).isEqualTo("completed");
    assertThat(claim()).isEqualTo(blocked.id());
    assertThat(claim()).isEqualTo(master.id());
    assertThat(next("").status()).isEqualTo(204);
    // A canceled blocker unblocks too.
    ws.status(master, "canceled");
    assertThat(app.engine().dispatch().release(ws.ownerId, master.id(), "canceled")).isPresent();
    assertThat(claim()).isEqualTo(held.id());
  }

  @Test
  void givenTwoBlockers_whenOneIsCompleted_thenNothingIsReportedUnblocked() {
    IssueRow first = ws.issue("first", "task", 1);
    IssueRow second = ws.issue("second", "task", 1);
    IssueRow both = ws.issue("needs both", "task", 1);
    ws.relate(both, "blocked_by", first);
    ws.relate(second, "blocks", both);
    ws.status(first, "done");
    assertThat(app.engine().dispatch().complete(ws.ownerId, first.id()).unblockedIssueIds())
        .isEmpty();
    ws.status(second, "done");
    DispatchService.Completion last = app.engine().dispatch().complete(ws.ownerId, second.id());
    assertThat(last.unblockedIssueIds()).containsExactly(both.id());
    assertThat(last.dispatchId()).isNull(); // never claimed: no lease to end
  }

  @Test
  void givenReadOnlyKey_whenClaiming_then403ButTheQueueIsReadable() {
    String reader = app.keyFor(ws.ownerId, Set.of(Scopes.LOOP_READ));
    ws.issue("x", "task", 1);
    Resp refused = app.get("/api/dispatch/next", reader);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("error").asText()).isNotBlank();
    assertThat(app.get("/api/dispatch/queue", reader).status()).isEqualTo(200);
    String interruptsOnly = app.keyFor(ws.ownerId);
    assertThat(app.get("/api/dispatch/queue", interruptsOnly).status()).isEqualTo(403);
    assertThat(app.get("/api/dispatch/next", null).status()).isEqualTo(401);
  }

  // ---- the approval gate -----------------------------------------------------------------

  Caller asker() {
    return Caller.key("key-of-the-planner", ws.ownerId, "planner", Set.of(Scopes.ADMIN), null);
  }

  @Test
  void givenHypothesisThatRequiresApproval_whenApprovedThroughLoopIn_thenDispatchClaimsIt() {
    IssueRow hypothesis = ws.issue("Caching the session lookups halves p99", "hypothesis", 2);
    IssueRow waiting = app.engine().dispatch().requestApproval(asker(), hypothesis.id());
    assertThat(waiting.requiresApproval()).isTrue();
    String interruptId = waiting.approvalInterruptId();
    assertThat(interruptId).isNotNull();
    // Asking again while it is pending asks nothing new.
    assertThat(app.engine().dispatch().requestApproval(asker(), hypothesis.id())
        .approvalInterruptId()).isEqualTo(interruptId);

    assertThat(next("").status()).isEqualTo(204);
    assertThat(app.get("/api/dispatch/queue", ws.key).body().path("total").asInt()).isZero();

    // LoopIn shows the question, with the issue as its context.
    Resp shown = app.get("/interrupts/" + interruptId, ws.key);
    assertThat(shown.status()).as(shown.raw().body()).isEqualTo(200);
    assertThat(shown.text("status")).isEqualTo("pending");
    assertThat(shown.text("action")).isEqualTo("Approve hypothesis #" + hypothesis.number()
        + ": Caching the session lookups halves p99");
    assertThat(shown.body().path("context").path("issueId").asText()).isEqualTo(hypothesis.id());

    Resp decided = app.post("/interrupts/" + interruptId + "/decide", ws.key,
        Map.of("decision", "approved"));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);

    IssueRow approved = ws.read(hypothesis);
    assertThat(approved.status()).isEqualTo("todo");
    assertThat(approved.requiresApproval()).isFalse();
    assertThat(claim()).isEqualTo(hypothesis.id());
  }

  @Test
  void givenIssueCreatedWithRequiresApproval_whenApprovedThroughAgentGate_thenItJoinsTheQueue() {
    Resp created = app.post("/api/issues", ws.key, Map.of("title", "Shard the events table",
        "type", "plan", "status", "todo", "priority", 1, "requiresApproval", true));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    assertThat(created.body().path("data").path("requiresApproval").asBoolean()).isTrue();
    String id = created.body().path("data").path("id").asText();
    String interruptId = app.jdbi().withHandle(h -> h.createQuery(
        "select approval_interrupt_id from engine_issues where id = :id").bind("id", id)
        .mapTo(String.class).one());
    assertThat(interruptId).as("a person was asked at once").isNotNull();
    assertThat(next("").status()).isEqualTo(204);

    // Another dialect's door: AgentGate lists and decides the same question.
    assertThat(app.get("/api/requests?status=pending", ws.key).raw().body()).contains(interruptId);
    Resp decided = app.post("/api/requests/" + interruptId + "/decide", ws.key,
        Map.of("decision", "approved"));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);
    assertThat(claim()).isEqualTo(id);

    // A plan that is already done has nothing to approve: refused before anything is stored.
    Resp done = app.post("/api/issues", ws.key, Map.of("title", "x", "type", "plan",
        "status", "done", "requiresApproval", true));
    assertThat(done.status()).isEqualTo(422);
  }

  @Test
  void givenClaim_whenTheAgentCommentsThenPatchesItDone_thenTheLeaseIsExtendedThenCompleted() {
    IssueRow first = ws.issue("Fix the flaky login test", "task", 2);
    IssueRow after = ws.issue("Ship the release", "task", 3);
    ws.relate(after, "blocked_by", first);
    assertThat(claim()).isEqualTo(first.id());
    Instant leased = leaseUntil(first);

    Resp comment = app.post("/api/issues/" + first.id() + "/comments", ws.key,
        Map.of("body", "found it: a race in the fixture", "authorName", "agent-7",
            "authorType", "agent"));
    assertThat(comment.status()).as(comment.raw().body()).isEqualTo(201);
    Instant extended = leaseUntil(first);
    assertThat(extended).as("a comment is a sign of life").isAfter(leased);

    Resp patched = app.send(app.builder("/api/issues/" + first.id(), ws.key)
        .header("Content-Type", "application/json").method("PATCH",
            java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":\"done\"}")));
    assertThat(patched.status()).as(patched.raw().body()).isEqualTo(200);
    var rows = ws.dispatches(first);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("ended_at")).isNotNull();
    assertThat(rows.get(0).get("outcome")).isEqualTo("completed");
    // Its blocker done, the next issue is claimable.
    assertThat(claim()).isEqualTo(after.id());
  }

  Instant leaseUntil(IssueRow issue) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select lease_until from engine_dispatches where issue_id = :id").bind("id", issue.id())
        .mapTo(java.time.OffsetDateTime.class).one()).toInstant();
  }

  @Test
  void givenPlanThatRequiresApproval_whenRejectedThroughLoopIn_thenCanceledWithTheReason() {
    IssueRow plan = ws.issue("Rewrite the scheduler", "plan", 1, "backlog", null);
    String interruptId = app.engine().dispatch().requestApproval(asker(), plan.id())
        .approvalInterruptId();
    Resp decided = app.post("/interrupts/" + interruptId + "/decide", ws.key,
        Map.of("decision", "rejected", "reason", "too risky before the release"));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);

    IssueRow rejected = ws.read(plan);
    assertThat(rejected.status()).isEqualTo("canceled");
    List<Map<String, Object>> comments = ws.comments(plan);
    assertThat(comments).hasSize(1);
    assertThat((String) comments.get(0).get("body")).contains("too risky before the release")
        .startsWith("Rejected by ");
    assertThat(comments.get(0).get("author_type")).isEqualTo("human");
    // Applying the decisions again changes nothing (one comment, still canceled).
    app.engine().dispatch().settleApprovals(null);
    assertThat(ws.comments(plan)).hasSize(1);
    assertThat(next("").status()).isEqualTo(204);
  }

  @Test
  void givenIssueThatIsNoHypothesisOrPlan_whenApprovalIsRequested_thenRefused() {
    IssueRow task = ws.issue("a task", "task", 1);
    assertThatThrownBy(() -> app.engine().dispatch().requestApproval(asker(), task.id()))
        .isInstanceOfSatisfying(InterlockException.class, e -> assertThat(e.status())
            .isEqualTo(422));
    assertThatThrownBy(() -> app.engine().dispatch().requestApproval(asker(), "iss_nope"))
        .isInstanceOfSatisfying(InterlockException.class, e -> assertThat(e.status())
            .isEqualTo(404));
    DispatchFixtures other = new DispatchFixtures(app);
    IssueRow theirs = other.issue("their plan", "plan", 1);
    assertThatThrownBy(() -> app.engine().dispatch().requestApproval(asker(), theirs.id()))
        .isInstanceOfSatisfying(InterlockException.class, e -> assertThat(e.status())
            .isEqualTo(404));
  }

  static List<String> ids(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.body().path("data").forEach(q -> ids.add(q.path("issue").path("id").asText()));
    return ids;
  }
}
