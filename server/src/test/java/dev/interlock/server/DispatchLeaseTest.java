package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dispatch leases of 3 seconds ({@code engine.dispatchLease}, as LOOP_DISPATCH_LEASE=3s
 * sets it) on the real application and the run's Temporal (embedded, then the dev server): a
 * silent agent's issue returns to todo with a comment saying why, heartbeats (the MCP tool
 * {@code loop_heartbeat} and activity on the issue) keep it, completing ends it.
 */
class DispatchLeaseTest {

  static final Duration LEASE = Duration.ofSeconds(3);
  /** Long enough for a lapse under a loaded build, short enough to notice a lost one. */
  static final Duration LAPSE_WITHIN = Duration.ofSeconds(30);

  @TempDir static Path data;
  static TestApp app;
  DispatchFixtures ws;

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("engine.dispatchLease", "3s")).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void workspace() {
    ws = new DispatchFixtures(app);
  }

  JsonNode claim(IssueRow expected) {
    Resp r = app.get("/api/dispatch/next", ws.key);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    assertThat(r.body().path("issue").path("id").asText()).isEqualTo(expected.id());
    return r.body();
  }

  @Test
  void givenClaimNobodyHeartbeats_whenTheLeaseRunsOut_thenTheIssueReturnsToTodoWithAComment() {
    IssueRow issue = ws.issue("Silent agent", "signal", 1);
    Instant claimed = Instant.now();
    JsonNode body = claim(issue);
    assertThat(body.path("lease").path("durationSeconds").asInt()).isEqualTo(3);
    assertThat(ws.read(issue).status()).isEqualTo("in_progress");

    assertThat(eventually(LAPSE_WITHIN, () -> "todo".equals(ws.read(issue).status()))).isTrue();
    Duration took = Duration.between(claimed, Instant.now());
    assertThat(took).isGreaterThanOrEqualTo(LEASE.minusMillis(100));

    List<Map<String, Object>> comments = ws.comments(issue);
    assertThat(comments).hasSize(1);
    assertThat(comments.get(0).get("author_name")).isEqualTo("interlock");
    assertThat(comments.get(0).get("author_type")).isEqualTo("agent");
    assertThat((String) comments.get(0).get("body")).contains("lease lapsed at")
        .contains("3 seconds").contains("back in todo");
    List<Map<String, Object>> dispatches = ws.dispatches(issue);
    assertThat(dispatches).hasSize(1);
    assertThat(dispatches.get(0).get("outcome")).isEqualTo("lapsed");
    assertThat(dispatches.get(0).get("ended_at")).isNotNull();
    // A lapsed claim counts against its prompt's version: none of its claims completed.
    String version = body.path("meta").path("versionId").asText();
    Double rate = app.jdbi().withHandle(h -> h.createQuery(
        "select completion_rate from engine_template_versions where id = :id")
        .bind("id", version).mapTo(Double.class).one());
    assertThat(rate).isEqualTo(0.0);

    // Back in the queue: the next agent gets it, with a lease of its own.
    JsonNode again = claim(issue);
    assertThat(again.path("lease").path("dispatchId").asText())
        .isNotEqualTo(body.path("lease").path("dispatchId").asText());
  }

  @Test
  void givenHeartbeatsEverySecond_whenTwiceTheLeasePasses_thenTheClaimHoldsUntilTheyStop()
      throws Exception {
    IssueRow issue = ws.issue("Busy agent", "task", 1);
    claim(issue);
    McpSyncClient agent = McpClients.connect(app, ws.key);
    try {
      long end = System.nanoTime() + LEASE.multipliedBy(2).toNanos();
      int beats = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(700);
        if (beats++ % 2 == 0) {
          JsonNode lease = ok(call(agent, "loop_heartbeat", Map.of("issueId", issue.id())));
          assertThat(lease.path("issueId").asText()).isEqualTo(issue.id());
          assertThat(Instant.parse(lease.path("expiresAt").asText()))
              .isAfter(Instant.now().plusSeconds(2));
          assertThat(lease.path("heartbeatAt").isNull()).isFalse();
        } else {
          // What PATCH of the issue and comments on it call.
          assertThat(app.engine().dispatch().activity(ws.ownerId, issue.id(), "comment"))
              .isPresent();
        }
      }
      assertThat(ws.read(issue).status()).isEqualTo("in_progress");
      assertThat(ws.comments(issue)).isEmpty();
      assertThat(ws.dispatches(issue).get(0).get("heartbeat_at")).isNotNull();

      // Silence: it lapses one lease after the last sign of life.
      assertThat(eventually(LAPSE_WITHIN, () -> "todo".equals(ws.read(issue).status())))
          .isTrue();
      assertThat(ws.comments(issue)).hasSize(1);
      assertThat((String) ws.comments(issue).get(0).get("body")).contains("last heard from at");
      // Its lease is gone: a heartbeat now is refused.
      assertThat(error(call(agent, "loop_heartbeat", Map.of("issueId", issue.id()))))
          .contains("holds no lease");
    } finally {
      agent.closeGracefully();
    }
  }

  @Test
  void givenHeldClaim_whenCompleted_thenTheLeaseEndsAndNeverLapses() throws Exception {
    IssueRow issue = ws.issue("Quick agent", "task", 1);
    claim(issue);
    ws.status(issue, "done"); // what PATCH {status: done} does, before it completes the lease
    assertThat(app.engine().dispatch().complete(ws.ownerId, issue.id()).dispatchId()).isNotNull();
    assertThat(ws.dispatches(issue).get(0).get("outcome")).isEqualTo("completed");
    Thread.sleep(LEASE.plusSeconds(2).toMillis());
    assertThat(ws.read(issue).status()).isEqualTo("done");
    assertThat(ws.comments(issue)).isEmpty();
    assertThat(ws.dispatches(issue)).hasSize(1);
    assertThat(ws.dispatches(issue).get(0).get("outcome")).isEqualTo("completed");
  }

  @Test
  void givenIssueWithoutALease_whenHeartbeatToolIsCalled_thenAToolErrorSaysWhy() {
    IssueRow unclaimed = ws.issue("Never claimed", "task", 1);
    McpSyncClient agent = McpClients.connect(app, ws.key);
    try {
      assertThat(error(call(agent, "loop_heartbeat", Map.of("issueId", unclaimed.id()))))
          .contains("holds no lease").contains("#" + unclaimed.number());
      assertThat(error(call(agent, "loop_heartbeat", Map.of("issueId", "iss_unknown"))))
          .contains("Issue not found");
      assertThat(error(call(agent, "loop_heartbeat", Map.of()))).contains("issueId is required");
      DispatchFixtures other = new DispatchFixtures(app);
      IssueRow theirs = other.issue("theirs", "task", 1);
      assertThat(app.get("/api/dispatch/next", other.key).status()).isEqualTo(200);
      assertThat(error(call(agent, "loop_heartbeat", Map.of("issueId", theirs.id()))))
          .contains("Issue not found");
    } finally {
      agent.closeGracefully();
    }
    // A sign of life on an issue nobody claimed changes nothing.
    assertThat(app.engine().dispatch().activity(ws.ownerId, unclaimed.id(), "PATCH")).isEmpty();
  }
}
