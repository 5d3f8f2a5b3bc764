package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.workflows.InterruptWorkflow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar in devserver mode, where Interlock runs {@code temporal server start-dev}
 * as a child with its state in SQLite under the data directory, is hit with SIGKILL while
 * agents create and people decide: once Interlock's own JVM, once the dev server. Neither
 * may lose an acknowledged create or decision, and waits made before the kill must still
 * expire on time. Unlike the embedded Temporal, a real server keeps the waits themselves,
 * so a restart finds them running instead of re-creating them.
 */
class DevServerKillNineIT {

  static final String KEY = "devserver-kill-nine-admin-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  static final int AGENTS = 6;
  /**
   * How late the dev server may fire a due timer (TimerFired in the workflow's history).
   * Usually it is a few milliseconds, but for its first 20 s or so after a start, a plain
   * {@code temporal server start-dev} too fires timers up to a few seconds late on a busy
   * machine: Temporal's doing, not Interlock's, so it has its own, looser bound.
   */
  static final Duration TIMER_SLACK = Duration.ofSeconds(5);
  /** How long after its timer fired, with Interlock up, an expiry may be decided and recorded. */
  static final Duration EXPIRY_SLACK = Duration.ofSeconds(2);
  static final Pattern RECOVERY = Pattern.compile("recovery pass: (\\d+) waiting interrupts"
      + " found, (\\d+) workflows started, (\\d+) already running");
  static final String DEV_SERVER_STARTED = "Temporal dev server started in";

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path data;
  Path cli;
  int port;
  int adminPort;
  int temporalPort;
  int uiPort;
  Process server;
  int starts;

  @BeforeEach
  void choosePorts() {
    cli = TestTemporal.cli();
    port = TestTemporal.freePort();
    adminPort = TestTemporal.freePort();
    temporalPort = TestTemporal.freePort();
    uiPort = TestTemporal.freePort();
  }

  /**
   * Stops Interlock gracefully, which stops its dev server and PostgreSQL, then kills
   * whatever of this data directory still runs: a leaked dev server would hold its port and
   * SQLite file on the developer's machine. After a graceful stop, a leftover fails the test.
   */
  @AfterEach
  void stopEverything() throws Exception {
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

  @Test
  void givenLoad_whenInterlockIsKilledWithSigkill_thenItsDevServerStopsAndTheWaitsSurvive()
      throws Exception {
    long firstStart = System.nanoTime();
    start();
    awaitHealthy(Duration.ofSeconds(120));
    long firstStartMs = millisSince(firstStart);
    long devServerPid = devServerPid();
    assertThat(ProcessHandle.of(devServerPid)).as("dev server pid %s", devServerPid).isPresent();

    // Short waits fall due from 20 s after they were made until well after the restart is
    // expected to be done, which takes about as long as the first start (up to a minute on
    // an overloaded machine): those due after it show that their timers survived in the dev
    // server's SQLite file.
    long lastShort = Math.min(90, Math.max(45, firstStartMs * 3 / 2000 + 15));
    Load load = new Load(12, 20, (lastShort - 20) / 11).start();
    load.awaitShortWaits(Duration.ofSeconds(60));
    Thread.sleep(3000);
    CompletableFuture<Long> devServerExit = ProcessHandle.of(devServerPid).orElseThrow()
        .onExit().thenApply(p -> System.nanoTime());
    long killed = System.nanoTime();
    server.destroyForcibly(); // SIGKILL: no shutdown hooks, no graceful stop of the child
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    load.stop();
    // The sh wrapper sees Interlock's end of the pipe close and stops the dev server.
    long devServerGoneMs = (devServerExit.get(10, TimeUnit.SECONDS) - killed) / 1_000_000;
    assertThat(load.acknowledgedCreates).hasSizeGreaterThan(10);
    assertThat(load.acknowledgedDecisions).isNotEmpty();
    assertThat(load.serverErrors()).as("5xx other than 503").isEmpty();

    long restart = System.nanoTime();
    Instant restartedAt = Instant.now();
    Path restartLog = start();
    awaitHealthy(Duration.ofSeconds(120));
    Instant backAt = Instant.now();
    long restartMs = millisSince(restart);
    int[] recovery = awaitRecovery(restartLog, 0);
    System.out.printf("devserver SIGKILL of Interlock: first start %d ms; %d creates (%d short"
            + " waits) and %d decisions acknowledged, %d creates unanswered; dev server gone"
            + " %d ms after the kill; restart to healthy %d ms; recovery pass: %d waiting,"
            + " %d started, %d already running%n", firstStartMs,
        load.acknowledgedCreates.size(), load.shortWaits.size(),
        load.acknowledgedDecisions.size(), load.createsUnanswered.intValue(), devServerGoneMs,
        restartMs, recovery[0], recovery[1], recovery[2]);
    // Only a create whose answer the kill swallowed can have left a row without a workflow.
    assertThat(recovery[1]).as("workflows the recovery pass started")
        .isLessThanOrEqualTo(load.createsUnanswered.intValue());
    assertThat(recovery[2]).as("waits the recovery pass found running")
        .isGreaterThanOrEqualTo(load.undecidedLongWaits());
    // Nothing but the recovery pass started workflows since the restart.
    assertThat(assertNoAcknowledgedWaitStartedAgain(load, restartedAt, recovery[1]))
        .hasSize(recovery[1]);

    assertNothingAcknowledgedLost(load);
    // Those still pending are still decidable after the crash.
    List<String> pending = load.acknowledgedCreates.keySet().stream()
        .filter(id -> !load.decideAttempted.contains(id) && !load.shortWaits.containsKey(id))
        .limit(5).toList();
    assertThat(pending).isNotEmpty();
    for (String id : pending) {
      HttpResponse<String> decided = post("/interrupts/" + id + "/decide",
          Map.of("decision", "approved"));
      assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    }

    Expiries expiries = awaitExpiries(load.shortWaits, backAt);
    System.out.printf("devserver SIGKILL of Interlock: %s%n", expiries);
    assertThat(expiries.dueAfterBack).as("short waits due after the restart (one much slower"
        + " than the first start leaves none to show that timers survived)").isPositive();
  }

  @Test
  void givenLoad_whenTheDevServerIsKilledWithSigkill_thenItIsRestartedAndNothingIsLost()
      throws Exception {
    start();
    awaitHealthy(Duration.ofSeconds(120));
    long oldPid = devServerPid();

    // Short waits fall due 30 to 37 s after they were made, well after the restart and past
    // the restarted dev server's first seconds, when its timers run late (TIMER_SLACK).
    Load load = new Load(8, 30, 1).start();
    load.awaitShortWaits(Duration.ofSeconds(60));
    Thread.sleep(3000);
    Instant killedAt = Instant.now();
    long killed = System.nanoTime();
    ProcessHandle.of(oldPid).orElseThrow().destroyForcibly(); // SIGKILL of the server itself
    long newPid = awaitNewDevServer(oldPid, Duration.ofSeconds(60));
    Instant backAt = Instant.now();
    long restartMs = millisSince(killed);
    int createsBeforeBack = load.acknowledgedCreates.size();
    int decisionsBeforeBack = load.acknowledgedDecisions.size();
    Thread.sleep(4000); // the agents go on against the restarted dev server
    load.stop();

    String log = Files.readString(data.resolve("server-1.log"));
    assertThat(log).contains("the Temporal dev server exited with status", "restarting it in",
        "recovery pass again: the Temporal dev server was restarted");
    assertThat(Pattern.compile(Pattern.quote(DEV_SERVER_STARTED)).matcher(log).results().count())
        .as("dev server starts").isEqualTo(2);
    int[] recovery = awaitRecovery(data.resolve("server-1.log"),
        log.indexOf("recovery pass again"));
    System.out.printf("devserver SIGKILL of the dev server: pid %d replaced by %d %d ms after"
            + " the kill; %d creates (%d short waits) and %d decisions acknowledged, %d and %d"
            + " of them after the restart; create answers %s, decide answers %s, unanswered"
            + " %d/%d; recovery pass again: %d waiting, %d started, %d already running%n",
        oldPid, newPid, restartMs, load.acknowledgedCreates.size(), load.shortWaits.size(),
        load.acknowledgedDecisions.size(), load.acknowledgedCreates.size() - createsBeforeBack,
        load.acknowledgedDecisions.size() - decisionsBeforeBack, load.createStatuses,
        load.decideStatuses, load.createsUnanswered.intValue(),
        load.decidesUnanswered.intValue(), recovery[0], recovery[1], recovery[2]);

    // Interlock stayed up: every request got an answer, and a failed one is a 503 to retry.
    assertThat(load.createsUnanswered.intValue() + load.decidesUnanswered.intValue())
        .as("requests without an HTTP answer").isZero();
    assertThat(load.createStatuses.keySet()).isSubsetOf(201, 503);
    assertThat(load.decideStatuses.keySet()).isSubsetOf(200, 503);
    // A 503 create left a pending row without a workflow, and a create still starting its
    // workflow when the pass ran may lose that race to the pass (its own start then finds the
    // workflow running). Beyond those, a started workflow means the restart lost a wait.
    assertThat(recovery[1]).as("workflows the recovery pass started").isLessThanOrEqualTo(
        load.createStatuses.getOrDefault(503, new LongAdder()).intValue() + AGENTS);
    assertNoAcknowledgedWaitStartedAgain(load, killedAt, 0);
    assertThat(load.acknowledgedCreates.size() - createsBeforeBack)
        .as("creates acknowledged after the restart").isPositive();
    assertThat(load.acknowledgedDecisions.size() - decisionsBeforeBack)
        .as("decisions acknowledged after the restart").isPositive();

    assertNothingAcknowledgedLost(load);
    // Every waiting interrupt, including those whose create answered 503, has its workflow.
    assertThat(postAdmin("/tasks/recover")).contains("re-created 0,");
    HttpResponse<String> created = post("/interrupts", Map.of("agentId", "after",
        "userId", "kill9", "action", "After the restart", "expiresIn", 3600));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = JSON.readTree(created.body()).path("interruptId").asText();
    HttpResponse<String> decided = post("/interrupts/" + id + "/decide",
        Map.of("decision", "approved"));
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);

    assertThat(load.shortWaits.values()).as("short waits due after the restart")
        .allMatch(due -> due.isAfter(backAt));
    Expiries expiries = awaitExpiries(load.shortWaits, backAt);
    System.out.printf("devserver SIGKILL of the dev server: %s%n", expiries);
    assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
  }

  /** Every acknowledged create is there, and every acknowledged decision with its status. */
  private void assertNothingAcknowledgedLost(Load load) throws Exception {
    for (String id : load.acknowledgedCreates.keySet()) {
      HttpResponse<String> got = get("/interrupts/" + id);
      assertThat(got.statusCode()).as("acknowledged interrupt %s", id).isEqualTo(200);
      String expected = load.acknowledgedDecisions.get(id);
      if (expected != null) {
        assertThat(JSON.readTree(got.body()).path("status").asText()).as("decision of %s", id)
            .isEqualTo(expected);
      }
    }
  }

  /**
   * Temporal's own account: the workflows started since {@code since} (waiting until its
   * visibility store lists at least {@code atLeast}), none of them for an interrupt whose
   * create was acknowledged before then. A wait the kill had lost would need a new one.
   */
  private List<String> assertNoAcknowledgedWaitStartedAgain(Load load, Instant since,
      int atLeast) throws InterruptedException {
    try (TemporalInspector temporal = new TemporalInspector(temporalTarget(), "default")) {
      List<String> started = temporal.awaitWorkflowIds("StartTime > \"" + since + "\"",
          ids -> ids.size() >= atLeast, Duration.ofSeconds(10));
      List<String> acknowledgedBefore = load.acknowledgedCreates.entrySet().stream()
          .filter(e -> e.getValue().isBefore(since))
          .map(e -> InterruptWorkflow.workflowId(e.getKey())).toList();
      assertThat(acknowledgedBefore).isNotEmpty();
      assertThat(started).as("workflows started since %s", since)
          .doesNotContainAnyElementsOf(acknowledgedBefore);
      return started;
    }
  }

  /**
   * How the short waits expired, for those that fell due with Temporal and Interlock up: the
   * latest recorded expiry after expiresAt, split into the dev server's timer (expiresAt to
   * TimerFired) and Interlock's part (TimerFired to the audit entry); for those that fell
   * due during the outage, the latest entry against the moment both were back (negative:
   * before).
   */
  record Expiries(int count, int dueAfterBack, long maxLateMs, long maxTimerLateMs,
      long maxInterlockMs, Long maxRecordedAfterBackMs) {
    @Override
    public String toString() {
      return String.format("%d short waits expired; %d fell due after the restart, recorded at"
          + " most %d ms after expiresAt (timer fired at most %d ms late, Interlock recorded at"
          + " most %d ms after the timer); %d fell due during the outage%s", count, dueAfterBack,
          maxLateMs, maxTimerLateMs, maxInterlockMs, count - dueAfterBack,
          maxRecordedAfterBackMs == null ? "" : ", recorded at most " + maxRecordedAfterBackMs
              + " ms after the restart");
    }
  }

  /**
   * Waits until every short wait has expired, then checks when: never before expiresAt; the
   * dev server's timer within {@link #TIMER_SLACK} of expiresAt (or of {@code backAt}, when
   * Temporal and Interlock were back, for a wait that fell due during the outage); decided
   * and recorded (the audit trail's "expired" entry) within {@link #EXPIRY_SLACK} of the
   * timer, or of {@code backAt}.
   */
  private Expiries awaitExpiries(Map<String, Instant> waits, Instant backAt) throws Exception {
    Instant deadline = waits.values().stream().max(Instant::compareTo).orElseThrow()
        .plusSeconds(30);
    List<Map.Entry<String, Instant>> byDue = new ArrayList<>(waits.entrySet());
    byDue.sort(Map.Entry.comparingByValue());
    int dueAfterBack = 0;
    long maxLate = 0;
    long maxTimerLate = 0;
    long maxInterlock = 0;
    Long maxAfterBack = null;
    try (TemporalInspector temporal = new TemporalInspector(temporalTarget(), "default")) {
      for (var wait : byDue) {
        String id = wait.getKey();
        Instant due = wait.getValue();
        JsonNode body = JSON.readTree(get("/interrupts/" + id).body());
        while (body.path("status").asText().equals("pending")
            && Instant.now().isBefore(deadline)) {
          Thread.sleep(250);
          body = JSON.readTree(get("/interrupts/" + id).body());
        }
        assertThat(body.path("status").asText()).as("short wait %s due %s", id, due)
            .isEqualTo("expired");
        Instant decidedAt = Instant.parse(body.path("decidedAt").asText());
        Instant recordedAt = null;
        for (JsonNode event : JSON.readTree(get("/interrupts/" + id + "/events").body())) {
          if (event.path("event").asText().equals("expired")) {
            recordedAt = Instant.parse(event.path("timestamp").asText());
          }
        }
        assertThat(recordedAt).as("expired event of %s", id).isNotNull();
        // The store's expiry sweep may show the expiry a little before the workflow's timer
        // fires (it runs every 250 ms), so give the timer its slack before asking for it.
        Instant up = due.isAfter(backAt) ? due : backAt;
        Instant firedAt = temporal.timerFiredAt(InterruptWorkflow.workflowId(id));
        while (firedAt == null && Instant.now().isBefore(up.plus(TIMER_SLACK).plusSeconds(1))) {
          Thread.sleep(100);
          firedAt = temporal.timerFiredAt(InterruptWorkflow.workflowId(id));
        }
        assertThat(firedAt).as("TimerFired of %s", id).isNotNull();
        assertThat(firedAt).as("timer of %s due %s fired", id, due)
            .isAfterOrEqualTo(due).isBeforeOrEqualTo(up.plus(TIMER_SLACK));
        Instant bound = (firedAt.isAfter(backAt) ? firedAt : backAt).plus(EXPIRY_SLACK);
        assertThat(decidedAt).as("decidedAt of %s due %s, timer fired %s", id, due, firedAt)
            .isAfterOrEqualTo(due).isBeforeOrEqualTo(bound);
        assertThat(recordedAt).as("expiry of %s due %s recorded, timer fired %s", id, due,
            firedAt).isAfterOrEqualTo(due).isBeforeOrEqualTo(bound);
        if (due.isAfter(backAt)) {
          dueAfterBack++;
          maxLate = Math.max(maxLate, Duration.between(due, recordedAt).toMillis());
          maxTimerLate = Math.max(maxTimerLate, Duration.between(due, firedAt).toMillis());
          maxInterlock = Math.max(maxInterlock,
              Duration.between(firedAt, recordedAt).toMillis());
        } else {
          long afterBack = Duration.between(backAt, recordedAt).toMillis();
          maxAfterBack = maxAfterBack == null ? afterBack : Math.max(maxAfterBack, afterBack);
        }
      }
    }
    return new Expiries(waits.size(), dueAfterBack, maxLate, maxTimerLate, maxInterlock,
        maxAfterBack);
  }

  /**
   * Agents creating LoopIn interrupts on {@link #AGENTS} threads and deciding every second
   * one, as in {@link KillNineIT}; early creates include the short waits, which nobody
   * decides. Records what was acknowledged and every answer.
   */
  final class Load {
    /** Acknowledged creates: id to when the 201 arrived. */
    final Map<String, Instant> acknowledgedCreates = new ConcurrentHashMap<>();
    final Map<String, String> acknowledgedDecisions = new ConcurrentHashMap<>();
    final Set<String> decideAttempted = ConcurrentHashMap.newKeySet();
    /** Short waits: id to expiresAt. */
    final Map<String, Instant> shortWaits = new ConcurrentHashMap<>();
    final Map<Integer, LongAdder> createStatuses = new ConcurrentHashMap<>();
    final Map<Integer, LongAdder> decideStatuses = new ConcurrentHashMap<>();
    final LongAdder createsUnanswered = new LongAdder();
    final LongAdder decidesUnanswered = new LongAdder();
    private final int shorts;
    private final long firstShortSeconds;
    private final long shortStepSeconds;
    private final AtomicInteger shortsIssued = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService agents = Executors.newFixedThreadPool(AGENTS);

    /** {@code shorts} waits expiring after first, first + step, ... seconds. */
    Load(int shorts, long firstShortSeconds, long shortStepSeconds) {
      this.shorts = shorts;
      this.firstShortSeconds = firstShortSeconds;
      this.shortStepSeconds = shortStepSeconds;
    }

    Load start() {
      for (int t = 0; t < AGENTS; t++) {
        int thread = t;
        agents.submit(() -> agent(thread));
      }
      return this;
    }

    private void agent(int thread) {
      int i = 0;
      while (running.get()) {
        i++;
        // Of every four creates: a short wait while there are some left (else a long one),
        // two decided ones, and a long wait nobody decides.
        int shortIndex = i % 4 == 1 ? shortsIssued.getAndIncrement() : shorts;
        boolean isShort = shortIndex < shorts;
        long expiresIn = isShort ? firstShortSeconds + shortIndex * shortStepSeconds : 3600;
        try {
          HttpResponse<String> created = post("/interrupts", Map.of("agentId", "agent-" + thread,
              "userId", "kill9", "action", "Action " + thread + "-" + i, "expiresIn", expiresIn));
          count(createStatuses, created.statusCode());
          if (created.statusCode() != 201) {
            continue;
          }
          JsonNode body = JSON.readTree(created.body());
          String id = body.path("interruptId").asText();
          acknowledgedCreates.put(id, Instant.now());
          if (isShort) {
            shortWaits.put(id, Instant.parse(body.path("expiresAt").asText()));
            continue;
          }
          if (i % 2 == 0) {
            String decision = i % 4 == 0 ? "approved" : "rejected";
            decideAttempted.add(id);
            try {
              HttpResponse<String> decided = post("/interrupts/" + id + "/decide",
                  Map.of("decision", decision));
              count(decideStatuses, decided.statusCode());
              if (decided.statusCode() == 200) {
                acknowledgedDecisions.put(id, decision);
              }
            } catch (IOException e) {
              decidesUnanswered.increment();
            }
          }
        } catch (IOException e) {
          // Interlock is being killed: unacknowledged requests may fail.
          createsUnanswered.increment();
          pause();
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void awaitShortWaits(Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (shortWaits.size() < shorts) {
        assertThat(System.nanoTime()).as("%d of %d short waits created in %s", shortWaits.size(),
            shorts, within).isLessThan(deadline);
        Thread.sleep(50);
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      agents.shutdown();
      assertThat(agents.awaitTermination(90, TimeUnit.SECONDS)).as("agents stopped").isTrue();
    }

    /** Acknowledged long waits nobody tried to decide: certainly waiting at any restart. */
    int undecidedLongWaits() {
      return (int) acknowledgedCreates.keySet().stream()
          .filter(id -> !decideAttempted.contains(id) && !shortWaits.containsKey(id)).count();
    }

    /** Answers 500 and above except 503, which asks the client to retry. */
    List<Integer> serverErrors() {
      List<Integer> errors = new ArrayList<>();
      for (var statuses : List.of(createStatuses, decideStatuses)) {
        statuses.keySet().stream().filter(s -> s >= 500 && s != 503).forEach(errors::add);
      }
      return errors;
    }

    private void count(Map<Integer, LongAdder> statuses, int status) {
      statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    private void pause() {
      try {
        Thread.sleep(20); // a killed server refuses connections at once; do not spin
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.set(false);
      }
    }
  }

  /** Starts the jar in devserver mode on this test's data directory; returns its log file. */
  private Path start() throws IOException {
    String jar = System.getProperty("interlock.jar", "target/interlock.jar");
    Path config = Path.of(System.getProperty("interlock.config", "../config.yml"));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar, "server", config.toString());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("ADMIN_PORT", Integer.toString(adminPort));
    pb.environment().put("INTERLOCK_DATA_DIR", data.toString());
    pb.environment().put("INTERLOCK_ADMIN_KEY", KEY);
    pb.environment().put("TEMPORAL_MODE", "devserver");
    pb.environment().put("TEMPORAL_CLI_PATH", cli.toString());
    pb.environment().put("TEMPORAL_PORT", Integer.toString(temporalPort));
    pb.environment().put("TEMPORAL_UI_PORT", Integer.toString(uiPort));
    Path log = data.resolve("server-" + ++starts + ".log");
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    server = pb.start();
    return log;
  }

  private void awaitHealthy(Duration within) throws Exception {
    Path log = data.resolve("server-" + starts + ".log");
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server exited; its log ends:\n%s", tail(log)).isTrue();
      try {
        if (get("/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not healthy within " + within + "; the log ends:\n" + tail(log));
  }

  /** The counts of the first recovery pass logged after {@code from}: found, started, running. */
  private int[] awaitRecovery(Path log, int from) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Matcher m = RECOVERY.matcher(Files.readString(log));
      if (m.find(from)) {
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))};
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no recovery pass logged; the log ends:\n" + tail(log));
      }
      Thread.sleep(200);
    }
  }

  private long devServerPid() throws IOException {
    return Long.parseLong(Files.readString(data.resolve("temporal/devserver.pid")).trim());
  }

  /** Waits until devserver.pid names a live process other than {@code oldPid}. */
  private long awaitNewDevServer(long oldPid, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("Interlock exited").isTrue();
      try {
        long pid = devServerPid();
        if (pid != oldPid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          return pid;
        }
      } catch (IOException | NumberFormatException e) {
        // being rewritten
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no new dev server within " + within + "; Interlock's log ends:\n"
        + tail(data.resolve("server-" + starts + ".log")));
  }

  private String temporalTarget() {
    return "127.0.0.1:" + temporalPort;
  }

  /**
   * Every process whose command line names this test's data directory: the dev server, its
   * sh wrapper, the PostgreSQL server. Other people's processes never match.
   */
  private List<ProcessHandle> ownProcesses() {
    String dir = data.toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
        .toList();
  }

  /** Those of {@code processes} still alive after {@code within}. */
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

  private HttpResponse<String> post(String path, Object body) throws IOException,
      InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).header("X-API-Key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).header("X-API-Key", KEY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String postAdmin(String path) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer.body();
  }
}
