package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.SseReader.Frame;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart of Interlock during a loop's turn, on the same data directory: the running
 * turn cannot resume (its agent may already have acted) and ends as {@code error}
 * {@code runner_lost}; the messages queued behind it were acknowledged and run after the
 * restart, in order; a client that reconnects with {@code Last-Event-ID} gets exactly the
 * events it missed; and the lost turn's agent does not outlive the server that ran it.
 *
 * <p>On the embedded Temporal, which forgets every workflow, the start ends the turn and
 * queues the others again ({@code LoopService.recoverEmbedded}). On the dev server (the
 * build's second run) the workflows survive: the worker's shutdown fails the turn's activity
 * as runner lost, and the new worker finishes the turn and runs the queue.
 */
class LoopRestartTest {

  static final String LOST_TURN = "PID\nSAY before\nSLEEP 60\nSAY never";
  static final Pattern PID = Pattern.compile("^pid (\\d+)");

  @TempDir Path data;
  /** One Temporal for both starts: on the dev server, the same ports and SQLite file. */
  final List<ConfigOverride> temporal = TestTemporal.devServer()
      ? TestTemporal.devServerOverrides() : TestTemporal.overrides();
  Long agentPid;

  @AfterEach
  void noAgentLeft() {
    // Should the assertion on it have failed, the agent must not outlive the test either.
    if (agentPid != null) {
      ProcessHandle.of(agentPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void givenRunningTurnAndTwoQueued_whenRestarted_thenRunnerLostQueuedRunInOrderAndStreamsResume()
      throws Exception {
    String loopId;
    String lostTurn;
    String lastSeen;
    String secondKey = UUID.randomUUID().toString();
    String thirdKey = UUID.randomUUID().toString();
    String secondQueuedId;
    String thirdQueuedId;
    long stopMs;
    TestApp first = app().start();
    boolean stopped = false;
    try {
      loopId = call(first, "POST", "/api/v1/loops", Map.of("title", "restart")).text("id");
      try (SseReader running = send(first, loopId, LOST_TURN, UUID.randomUUID().toString(), null);
          SseReader second = send(first, loopId, "SAY second", secondKey, null);
          SseReader third = send(first, loopId, "SAY third", thirdKey, null)) {
        Frame started = running.next();
        assertThat(started.event()).isEqualTo("started");
        lostTurn = started.json().path("turn_id").asText();
        List<Frame> seen = new ArrayList<>(List.of(started));
        while (!text(seen).endsWith("before")) {
          seen.add(running.next());
        }
        Matcher pid = PID.matcher(text(seen));
        assertThat(pid.find()).as(text(seen)).isTrue();
        agentPid = Long.parseLong(pid.group(1));
        assertThat(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive)).contains(true);

        Frame secondQueued = second.next();
        assertThat(secondQueued.event()).isEqualTo("queued");
        secondQueuedId = secondQueued.id();
        Frame thirdQueued = third.next();
        assertThat(thirdQueued.event()).isEqualTo("queued");
        assertThat(thirdQueued.json().path("position").asInt()).isEqualTo(2);
        thirdQueuedId = thirdQueued.id();
        lastSeen = seen.get(seen.size() - 1).id();

        long stopping = System.nanoTime();
        first.close(); // the streams stay open across the stop, as a client's would
        stopped = true;
        stopMs = millisSince(stopping);
        // Cut off, not ended: no terminal event reached the client.
        for (Frame f = running.next(); f != null; f = running.next()) {
          assertThat(f.event()).isNotIn("done", "interrupted", "error");
          lastSeen = f.id();
        }
      }
    } finally {
      if (!stopped) {
        first.close();
      }
    }
    // The stop waited for the agent: its process is gone, not orphaned. And the open
    // streams did not hold the stop (a supervisor's SIGKILL follows SIGTERM after 10 s, as
    // docker stop's does, and would orphan the agent).
    assertThat(ProcessHandle.of(agentPid).filter(ProcessHandle::isAlive))
        .as("the lost turn's agent (pid %s) after the stop", agentPid).isEmpty();
    assertThat(stopMs).as("graceful stop with open loop streams, ms").isLessThan(10_000);

    long restarting = System.nanoTime();
    try (TestApp second = app().start()) {
      long startMs = millisSince(restarting);
      // The running turn's stream, reconnected: exactly the events after the last one seen,
      // ending with the turn's runner_lost.
      List<Frame> replay;
      try (SseReader watch = watch(second, loopId, lastSeen)) {
        replay = watch.untilEnd();
      }
      long lostMs = millisSince(restarting);
      assertThat(replay).isNotEmpty();
      Frame end = replay.get(replay.size() - 1);
      assertThat(end.event()).isEqualTo("error");
      assertThat(end.json().path("code").asText()).isEqualTo("runner_lost");
      assertThat(end.json().path("turn_id").asText()).isEqualTo(lostTurn);
      assertThat(end.json().path("message").asText()).contains("cannot resume");
      assertThat(replay.get(0).seq()).isEqualTo(Long.parseLong(lastSeen) + 1);
      assertThat(replay).containsExactlyElementsOf(stored(second, loopId,
          Long.parseLong(lastSeen), end.seq()));
      assertThat(text(replay)).doesNotContain("never");

      // Both queued messages ran after the restart, in order; their streams, re-attached
      // with the same Idempotency-Key, go on from the last event their client saw.
      List<Frame> secondRun;
      try (SseReader s = send(second, loopId, "SAY second", secondKey, secondQueuedId)) {
        secondRun = s.untilEnd();
      }
      List<Frame> thirdRun;
      try (SseReader s = send(second, loopId, "SAY third", thirdKey, thirdQueuedId)) {
        thirdRun = s.untilEnd();
      }
      long queuedMs = millisSince(restarting);
      for (var run : List.of(secondRun, thirdRun)) {
        assertThat(names(run)).first().isEqualTo("started");
        assertThat(names(run)).last().isEqualTo("done");
        String turn = run.get(0).json().path("turn_id").asText();
        assertThat(turn).isNotEqualTo(lostTurn);
        assertThat(run.get(run.size() - 1).json().path("turn_id").asText()).isEqualTo(turn);
      }
      assertThat(secondRun.get(0).seq()).isGreaterThan(end.seq());
      assertThat(text(secondRun)).isEqualTo("second");
      assertThat(text(thirdRun)).isEqualTo("third");
      assertThat(thirdRun.get(0).seq()).isGreaterThan(secondRun.get(secondRun.size() - 1).seq());

      assertThat(eventually(Duration.ofSeconds(10), () -> {
        JsonNode loop = call(second, "GET", "/api/v1/loops/" + loopId, null).body();
        return !loop.path("busy").asBoolean(true) && loop.path("queue_depth").asInt(-1) == 0;
      })).as("the loop is idle").isTrue();
      Resp loop = call(second, "GET", "/api/v1/loops/" + loopId, null);
      assertThat(loop.body().path("turn_count").asInt()).isEqualTo(3);
      assertThat(loop.body().path("current_turn").isNull()).isTrue();
      System.out.printf("loop restart (%s): graceful stop %d ms; start %d ms, runner_lost on"
              + " the reconnected stream %d ms and both queued turns done %d ms after it%n",
          TestTemporal.mode(), stopMs, startMs, lostMs, queuedMs);
    }
  }

  // ---- helpers -------------------------------------------------------------------------

  private TestApp app() {
    return new TestApp(data, temporal,
        ConfigOverride.config("loops.agentCommand", "python3 " + LoopsTest.FAKE_AGENT),
        ConfigOverride.config("loops.pingInterval", "1s"));
  }

  private static Resp call(TestApp app, String method, String path, Object body) {
    Resp r = new Identities(app).bearer(method, path, ADMIN_KEY, body);
    assertThat(r.status()).as(r.raw().body()).isBetween(200, 299);
    return r;
  }

  private static HttpRequest.Builder stream(TestApp app, String path) {
    return HttpRequest.newBuilder(URI.create(app.base() + path))
        .timeout(Duration.ofMinutes(3))
        .header("Authorization", "Bearer " + ADMIN_KEY)
        .header("Accept", "text/event-stream");
  }

  private static SseReader send(TestApp app, String loopId, String content, String key,
      String lastEventId) throws Exception {
    HttpRequest.Builder b = stream(app, "/api/v1/loops/" + loopId + "/messages")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    String body = TestApp.JSON.writeValueAsString(Map.of("content", content));
    SseReader s = SseReader.open(app.http(), b.POST(HttpRequest.BodyPublishers.ofString(body))
        .build());
    assertThat(s.status()).isEqualTo(200);
    return s;
  }

  private static SseReader watch(TestApp app, String loopId, String lastEventId) {
    SseReader s = SseReader.open(app.http(), stream(app, "/api/v1/loops/" + loopId + "/events")
        .header("Last-Event-ID", lastEventId).GET().build());
    assertThat(s.status()).isEqualTo(200);
    return s;
  }

  /** The loop's events in (after, upTo] as the store holds them, as frames. */
  private static List<Frame> stored(TestApp app, String loopId, long after, long upTo) {
    return app.jdbi().withHandle(h -> h.createQuery("""
            select seq, event, data::text as data from loop_events
             where loop_id = :loop and seq > :after and seq <= :upTo order by seq""")
        .bind("loop", loopId).bind("after", after).bind("upTo", upTo)
        .map((rs, ctx) -> new Frame(Long.toString(rs.getLong("seq")), rs.getString("event"),
            rs.getString("data")))
        .list())
        .stream()
        // The stream sends the stored JSON as Jackson writes it; compare the same text.
        .map(f -> new Frame(f.id(), f.event(), f.json().toString()))
        .toList();
  }

  private static String text(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("assistant_delta"))
        .map(f -> f.json().path("text").asText()).collect(Collectors.joining());
  }

  private static List<String> names(List<Frame> frames) {
    return frames.stream().map(Frame::event).toList();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
