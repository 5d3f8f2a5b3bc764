package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.SseReader.Frame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped jar, its agent command the fake agent, is killed with SIGKILL during a loop's
 * turn, with a second message queued behind it, and started again on the same data
 * directory. The queued message was acknowledged (its {@code queued} event) and runs after
 * the restart; the running turn ends as {@code error} {@code runner_lost}: on the dev server
 * when the turn's activity misses its heartbeats (30 s), on the embedded Temporal at once on
 * start; a {@code GET /events} with {@code Last-Event-ID} replays exactly from there.
 *
 * <p>What a SIGKILL does to the agent: nothing stops it. It is an orphan whose stdout and
 * stdin are pipes to a dead process; it goes on until it next writes (EPIPE) or reads (end
 * of input). The test measures that, and kills it if it is still there at the end.
 */
class LoopKillNineIT {

  static final String KEY = "loop-kill-nine-admin-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  static final int SLEEP_SECONDS = 40;
  static final Pattern PID = Pattern.compile("^pid (\\d+)");

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path data;
  String mode;
  int port;
  int adminPort;
  int temporalPort;
  int uiPort;
  Process server;
  int starts;
  Long orphan;

  /**
   * Stops Interlock gracefully, then kills whatever of this data directory still runs (the
   * dev server, PostgreSQL, an agent: its --mcp-config is under the data directory). After a
   * graceful stop, a leftover fails the test.
   */
  @AfterEach
  void stopEverything() throws Exception {
    if (orphan != null) {
      ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
    }
    boolean graceful = server != null && server.isAlive();
    if (graceful) {
      server.destroy();
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    List<ProcessHandle> left = awaitGone(ownProcesses(), Duration.ofSeconds(15));
    List<String> described = left.stream()
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    left.forEach(ProcessHandle::destroy);
    awaitGone(left, Duration.ofSeconds(10)).forEach(ProcessHandle::destroyForcibly);
    if (graceful) {
      assertThat(described).as("processes of %s still running after Interlock stopped", data)
          .isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"devserver", "embedded"})
  void givenRunningAndQueuedTurns_whenInterlockIsKilledWithSigkill_thenRunnerLostAndTheQueueRuns(
      String temporalMode) throws Exception {
    mode = temporalMode;
    choosePorts();
    start();
    awaitHealthy(Duration.ofSeconds(120));
    String loopId = JSON.readTree(call("POST", "/api/v1/loops",
        Map.of("title", "kill -9")).body()).path("id").asText();

    List<Frame> seen = new ArrayList<>();
    String lostTurn;
    String queuedKey = UUID.randomUUID().toString();
    String queuedId;
    long killed;
    try (SseReader running = send(loopId, "PID\nSAY before\nSLEEP " + SLEEP_SECONDS
        + "\nSAY never", UUID.randomUUID().toString(), null)) {
      seen.add(running.next());
      assertThat(seen.get(0).event()).isEqualTo("started");
      lostTurn = seen.get(0).json().path("turn_id").asText();
      while (!text(seen).endsWith("before")) {
        seen.add(running.next());
      }
      Matcher pid = PID.matcher(text(seen));
      assertThat(pid.find()).as(text(seen)).isTrue();
      orphan = Long.parseLong(pid.group(1));
      try (SseReader queued = send(loopId, "SAY after the restart", queuedKey, null)) {
        Frame ack = queued.next();
        assertThat(ack.event()).isEqualTo("queued");
        queuedId = ack.id();
      }

      killed = System.nanoTime();
      server.destroyForcibly(); // SIGKILL: no shutdown hooks, the worker stops nothing
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      for (Frame f = running.next(); f != null; f = running.next()) {
        assertThat(f.event()).isNotIn("done", "interrupted", "error");
        seen.add(f);
      }
    }
    String lastSeen = seen.get(seen.size() - 1).id();
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive))
        .as("the agent (pid %s) right after the kill", orphan).contains(true);

    long restart = System.nanoTime();
    start();
    awaitHealthy(Duration.ofSeconds(120));
    long healthyMs = millisSince(restart);
    boolean orphanAliveAtRestart = alive(orphan);

    // The running turn's stream, reconnected: from the event after the last one seen to the
    // turn's end, runner_lost.
    List<Frame> replay;
    try (SseReader watch = watch(loopId, lastSeen)) {
      replay = watch.untilEnd();
    }
    long lostMs = millisSince(killed);
    Frame end = replay.get(replay.size() - 1);
    assertThat(end.event()).isEqualTo("error");
    assertThat(end.json().path("code").asText()).isEqualTo("runner_lost");
    assertThat(end.json().path("turn_id").asText()).isEqualTo(lostTurn);
    assertThat(end.json().path("message").asText()).contains("cannot resume");
    assertThat(text(replay)).doesNotContain("never");
    // Exactly from there: the loop's whole log up to the turn's end, read again from its
    // start, is what the client saw before the kill and then the replay, every id once.
    List<Frame> all;
    try (SseReader watch = watch(loopId, "0")) {
      all = watch.untilEnd();
    }
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i + 1);
    }
    long last = Long.parseLong(lastSeen);
    assertThat(replay).containsExactlyElementsOf(all.subList((int) last, all.size()));
    assertThat(all.subList(0, (int) last)).containsAll(seen);

    // The acknowledged message runs after the restart; its stream, re-attached with the
    // same Idempotency-Key, goes on after its queued event.
    List<Frame> after;
    try (SseReader s = send(loopId, "SAY after the restart", queuedKey, queuedId)) {
      after = s.untilEnd();
    }
    assertThat(after.get(0).event()).isEqualTo("started");
    assertThat(after.get(0).seq()).isGreaterThan(end.seq());
    assertThat(after.get(after.size() - 1).event()).isEqualTo("done");
    assertThat(text(after)).isEqualTo("after the restart");
    JsonNode loop = JSON.readTree(call("GET", "/api/v1/loops/" + loopId, null).body());
    assertThat(loop.path("busy").asBoolean()).isFalse();
    assertThat(loop.path("queue_depth").asInt()).isZero();
    assertThat(loop.path("turn_count").asInt()).isEqualTo(2);

    // The orphan: alive until its sleep ends and it writes to the dead pipe.
    long orphanGoneMs = awaitExit(orphan, Duration.ofSeconds(SLEEP_SECONDS + 20))
        .map(at -> (at - killed) / 1_000_000).orElse(-1L);
    System.out.printf("loop SIGKILL (%s): restart to healthy %d ms; runner_lost on the"
            + " reconnected stream %d ms after the kill; the orphaned agent (pid %d, sleeping"
            + " %d s) alive at the restart: %s, gone %s%n", mode, healthyMs, lostMs, orphan,
        SLEEP_SECONDS, orphanAliveAtRestart,
        orphanGoneMs < 0 ? "not yet (killed by the test)" : orphanGoneMs + " ms after the kill");
  }

  // ---- the jar -------------------------------------------------------------------------

  private void choosePorts() {
    port = TestTemporal.freePort();
    adminPort = TestTemporal.freePort();
    if ("devserver".equals(mode)) {
      TestTemporal.cli(); // skips without the Temporal CLI
      temporalPort = TestTemporal.freePort();
      uiPort = TestTemporal.freePort();
    }
  }

  private void start() throws IOException {
    String jar = System.getProperty("interlock.jar", "target/interlock.jar");
    Path config = Path.of(System.getProperty("interlock.config", "../config.yml"));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar, "server", config.toString());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("ADMIN_PORT", Integer.toString(adminPort));
    pb.environment().put("INTERLOCK_DATA_DIR", data.toString());
    pb.environment().put("INTERLOCK_ADMIN_KEY", KEY);
    pb.environment().put("INTERLOCK_AGENT_COMMAND", "python3 " + LoopsTest.FAKE_AGENT);
    pb.environment().put("TEMPORAL_MODE", mode);
    if ("devserver".equals(mode)) {
      pb.environment().put("TEMPORAL_CLI_PATH", TestTemporal.cli().toString());
      pb.environment().put("TEMPORAL_PORT", Integer.toString(temporalPort));
      pb.environment().put("TEMPORAL_UI_PORT", Integer.toString(uiPort));
    }
    Path log = data.resolve("server-" + ++starts + ".log");
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    server = pb.start();
  }

  private void awaitHealthy(Duration within) throws Exception {
    Path log = data.resolve("server-" + starts + ".log");
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server exited; its log ends:\n%s", tail(log)).isTrue();
      try {
        if (http.send(request("/health").GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not healthy within " + within + "; the log ends:\n" + tail(log));
  }

  // ---- loopat over HTTP ------------------------------------------------------------------

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofMinutes(3))
        .header("Authorization", "Bearer " + KEY);
  }

  private HttpResponse<String> call(String method, String path, Object body) throws Exception {
    HttpResponse<String> r = http.send(request(path).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return r;
  }

  private SseReader send(String loopId, String content, String key, String lastEventId)
      throws Exception {
    HttpRequest.Builder b = request("/api/v1/loops/" + loopId + "/messages")
        .header("Accept", "text/event-stream")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    SseReader s = SseReader.open(http, b.POST(HttpRequest.BodyPublishers.ofString(
        JSON.writeValueAsString(Map.of("content", content)))).build());
    assertThat(s.status()).isEqualTo(200);
    return s;
  }

  private SseReader watch(String loopId, String lastEventId) {
    SseReader s = SseReader.open(http, request("/api/v1/loops/" + loopId + "/events")
        .header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId)
        .GET().build());
    assertThat(s.status()).isEqualTo(200);
    return s;
  }

  private static String text(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("assistant_delta"))
        .map(f -> f.json().path("text").asText()).collect(Collectors.joining());
  }

  // ---- processes -----------------------------------------------------------------------

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** When the process exited (System.nanoTime), if it did within {@code within}. */
  private static Optional<Long> awaitExit(long pid, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (alive(pid)) {
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(100);
    }
    return Optional.of(System.nanoTime());
  }

  /**
   * Every process whose command line names this test's data directory: the dev server, its
   * sh wrapper, the PostgreSQL server, an agent. Other people's processes never match.
   */
  private List<ProcessHandle> ownProcesses() {
    String dir = data.toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
        .toList();
  }

  private static List<ProcessHandle> awaitGone(Collection<ProcessHandle> processes,
      Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<ProcessHandle> alive = processes.stream().filter(ProcessHandle::isAlive).toList();
    while (!alive.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      alive = alive.stream().filter(ProcessHandle::isAlive).toList();
    }
    return alive;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
