package dev.interlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interlock's load generator. By default it starts the server from the shipped jar (fresh
 * data directory, embedded PostgreSQL, the Temporal mode asked for) and drives it over HTTP;
 * with {@code --url} it drives any running server that speaks the LoopIn dialect. Each
 * scenario prints a table and writes {@code <out>/<scenario>.json}; both record the
 * Temporal mode.
 *
 * <pre>
 * java -jar bench/target/interlock-bench.jar --scenario quick
 * java -jar bench/target/interlock-bench.jar --scenario create --concurrency 16 --seconds 30
 * java -jar bench/target/interlock-bench.jar --scenario waits --waits 1000,10000,100000
 * java -jar bench/target/interlock-bench.jar --scenario smoke --temporal-mode devserver
 * java -jar bench/target/interlock-bench.jar --scenario smoke --temporal-mode external --temporal-target 127.0.0.1:7233
 * java -jar bench/target/interlock-bench.jar --scenario create --url http://localhost:3002 --key none
 * </pre>
 */
public final class BenchMain {

  private static final String USAGE = """
      usage: java -jar bench/target/interlock-bench.jar [--option value ...]
        --scenario S          create|roundtrip|waits|expiry|restart, or quick|smoke|all for the
                              five in turn (smoke: tiny loads, a check rather than a measurement;
                              quick: about two minutes); default quick
        --concurrency N       agent threads (default 16)
        --roundtrip-concurrency N  roundtrip's agents, when they differ (default --concurrency)
        --out DIR             where <scenario>.json goes (default bench/results)
        --seconds N           create: measured seconds; restart: load before the kill
        --warmup N            create: seconds before measuring (default 3 from 10 s on)
        --rounds N            roundtrip: rounds (default 2000)
        --waits L1,L2,...     waits: pending-wait levels (default 1000,10000,100000)
        --expiries N          expiry: interrupts expiring at once (default 10000)
        --churn L1,L2,...     churn (not in quick/all): interrupts created and decided, heap
                              after GC measured at each level (default 20000,40000,...,200000)
        --churn-sample N      churn: also measure the heap after GC every N interrupts and
                              report each level's lowest and highest (default 2000)
      The server the harness starts:
        --temporal-mode M     embedded (default; Temporal's test server in the server's JVM,
                              as docs/benchmarks.md measured), devserver (the server runs
                              `temporal server start-dev` on free ports, headless) or external
        --temporal-cli PATH   devserver: the Temporal CLI; default TEMPORAL_CLI_PATH, else
                              `temporal` on the PATH, else ./.tools/bin/temporal
        --temporal-target H:P external: the Temporal frontend to use (required)
        --temporal-pid-file F external: a file whose first line is the Temporal server's
                              pid, to report its CPU time (bench/temporal-postgres writes
                              target/temporal-pg/temporal.pid)
        --temporal-pg-pid-file F  external: the same for Temporal's PostgreSQL, its
                              postmaster.pid (target/temporal-pg/pgdata/postmaster.pid)
        --jar PATH            default server/target/interlock.jar
        --config PATH         default config.yml
        --heap SIZE           the server's -Xmx (default 1536m)
        --server-jvm-args A   more JVM arguments for the server, space-separated (e.g. a
                              -D switch to compare a lever, or -XX:StartFlightRecording=...)
      Or a server that is already running (restart is skipped; no --temporal-*):
        --url URL --key KEY   KEY none: no Authorization header; default INTERLOCK_API_KEY
      CPU: every scenario reports the CPU time (user + system, from /proc) each process spent
      in its measured window, in total and per unit of work (cpu_ms in the JSON):
      interlock_jvm (with its children but not its PostgreSQL or dev server),
      interlock_postgres (the embedded postmaster and its backends), temporal (embedded: in
      interlock_jvm; devserver: the dev server; external: --temporal-pid-file),
      temporal_postgres (external: --temporal-pg-pid-file) and harness_jvm (this load
      generator alone). docs/benchmarks.md says what each window and unit is.
      """;

  private static final Set<String> OPTIONS = Set.of("churn", "scenario", "concurrency", "out", "seconds",
      "warmup", "rounds", "waits", "expiries", "temporal-mode", "temporal-cli", "temporal-target",
      "temporal-pid-file", "temporal-pg-pid-file",
      "roundtrip-concurrency", "churn-sample", "jar", "config", "heap", "server-jvm-args", "url", "key");

  private final Map<String, String> opts;
  private final Path out;
  private final int concurrency;
  /** The Temporal of the server the harness starts; null with --url. */
  private final TemporalSetup temporal;
  private Server server;
  private Client client;
  /** CPU time per process; set up once the server runs. */
  private ProcCpu cpu;
  /** Per-process CPU ms per create from this run's create scenario, for per-decision figures. */
  private final Map<String, Double> cpuPerCreate = new HashMap<>();

  private BenchMain(Map<String, String> opts, TemporalSetup temporal) {
    this.opts = opts;
    this.out = Path.of(opts.getOrDefault("out", "bench/results"));
    this.concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
    this.temporal = temporal;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    TemporalSetup temporal = null;
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    try {
      if (args.length % 2 != 0) {
        throw new IllegalArgumentException("every option takes a value");
      }
      for (int i = 0; i < args.length; i += 2) {
        String name = args[i].replaceFirst("^--", "");
        if (!args[i].startsWith("--") || !OPTIONS.contains(name)) {
          throw new IllegalArgumentException("unknown option " + args[i]);
        }
        opts.put(name, args[i + 1]);
      }
      if (opts.containsKey("url")) {
        if (opts.keySet().stream().anyMatch(k -> k.startsWith("temporal-"))) {
          throw new IllegalArgumentException("--temporal-* choose the Temporal of the server the"
              + " harness starts; with --url the server runs whatever it runs");
        }
      } else {
        temporal = TemporalSetup.fromOptions(opts, System.getenv());
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    }
    int failures = new BenchMain(opts, temporal).run();
    System.exit(failures == 0 ? 0 : 1);
  }

  private int run() throws Exception {
    String scenario = opts.getOrDefault("scenario", "quick");
    Files.createDirectories(out);
    boolean smoke = scenario.equals("smoke");
    boolean quick = scenario.equals("quick");
    List<String> plan = switch (scenario) {
      case "quick", "smoke", "all" -> List.of("create", "roundtrip", "waits", "expiry", "restart");
      default -> List.of(scenario);
    };
    int failures = 0;
    try {
      connect();
      for (String s : plan) {
        // What the previous scenario left to the engine (e.g. first workflow tasks of a
        // create burst still queued on a real Temporal) must not be charged to this one.
        Double settled = plan.size() > 1 && !smoke && cpu != null ? settle() : null;
        Map<String, Object> result = switch (s) {
          case "create" -> create(smoke ? 2 : quick ? 10 : seconds(30));
          case "roundtrip" -> roundTrip(smoke ? 20 : quick ? 300 : Integer.parseInt(opts.getOrDefault("rounds", "2000")));
          case "waits" -> manyWaits(smoke ? List.of(50) : quick ? List.of(1000)
              : parseList(opts.getOrDefault("waits", "1000,10000,100000")));
          case "expiry" -> expiryStorm(smoke ? 50 : quick ? 1000 : Integer.parseInt(opts.getOrDefault("expiries", "10000")));
          case "restart" -> restart(smoke ? 3 : quick ? 10 : seconds(20));
          case "churn" -> churn(parseList(opts.getOrDefault("churn", "20000,40000,60000,80000,"
              + "100000,120000,140000,160000,180000,200000")));
          default -> throw new IllegalArgumentException("unknown scenario " + s);
        };
        if (result == null) {
          continue;
        }
        if (settled != null) {
          result.put("settled_before_seconds", settled);
        }
        if (Boolean.FALSE.equals(result.get("ok"))) {
          failures++;
        }
        report(s, result);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
    System.out.printf("bench scenarios ok: %d of %d (%s)%n", plan.size() - failures, plan.size(),
        temporal == null ? "server at " + opts.get("url") : "temporal " + temporal.mode());
    return failures;
  }

  /**
   * Waits until the server side (server, PostgreSQL, Temporal) is quiet: under 15 % of one
   * core for three seconds in a row, at most ten minutes. Returns the seconds waited.
   */
  private double settle() throws InterruptedException {
    long start = System.nanoTime();
    int quiet = 0;
    ProcCpu.Snapshot last = cpu.snapshot();
    while (quiet < 3 && System.nanoTime() - start < 600e9) {
      Thread.sleep(1000);
      ProcCpu.Snapshot now = cpu.snapshot();
      long ms = ProcCpu.serverSideMs(now) - ProcCpu.serverSideMs(last);
      quiet = ms < 150 ? quiet + 1 : 0;
      last = now;
    }
    double seconds = Stats.round((System.nanoTime() - start) / 1e9);
    System.out.println("  (server side quiet after " + seconds + " s)");
    return seconds;
  }

  private int seconds(int fallback) {
    return Integer.parseInt(opts.getOrDefault("seconds", Integer.toString(fallback)));
  }

  private void connect() throws Exception {
    String url = opts.get("url");
    if (url != null) {
      String key = opts.getOrDefault("key", System.getenv("INTERLOCK_API_KEY"));
      client = new Client(url, "none".equals(key) ? null : key, concurrency * 2 + 4);
      System.out.println("target: " + url);
      cpu = cpuAccounts();
      return;
    }
    Path data = Files.createTempDirectory("interlock-bench");
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + opts.getOrDefault("heap", "1536m"),
        "-XX:+UseG1GC"));
    String extraJvm = opts.getOrDefault("server-jvm-args", "").strip();
    if (!extraJvm.isEmpty()) {
      jvm.addAll(List.of(extraJvm.split("\\s+")));
    }
    server = new Server(opts.getOrDefault("jar", "server/target/interlock.jar"),
        opts.getOrDefault("config", "config.yml"), data, "bench-admin-key-0123456789abcdef", jvm,
        temporal);
    long ms = server.start();
    // The server's log names the mode it chose; a different one would mislabel every figure.
    String running = server.temporalModeInLog();
    if (!temporal.mode().equals(running)) {
      throw new IllegalStateException("asked for Temporal " + temporal.mode() + " but the server"
          + " says " + running + "; see " + data.resolve("server.log"));
    }
    System.out.printf("server started in %d ms, temporal %s (data %s)%n", ms, temporal, data);
    client = new Client(server.url(), server.key, concurrency * 2 + 4);
    cpu = cpuAccounts();
  }

  /**
   * The processes whose CPU time every scenario reports, each separately: the server's JVM
   * (with whatever it runs besides the two below), its embedded PostgreSQL, Temporal and its
   * PostgreSQL where they are processes of their own, and this harness.
   */
  private ProcCpu cpuAccounts() {
    ProcCpu accounts = new ProcCpu();
    if (server == null) {
      String why = "not measured (--url: a server the harness did not start)";
      accounts.note("interlock_jvm", why).note("interlock_postgres", why)
          .note("temporal", why).note("temporal_postgres", why);
    } else {
      accounts.tree("interlock_jvm", server::pidOrNone);
      accounts.tree("interlock_postgres", server::postgresPid);
      switch (temporal.mode()) {
        case "embedded" -> accounts
            .note("temporal", "in interlock_jvm (embedded: Temporal's test server runs in the"
                + " server's JVM)")
            .note("temporal_postgres", "none (embedded: Temporal's state is in the server's heap)");
        case "devserver" -> accounts
            .tree("temporal", server::temporalPid)
            .note("temporal_postgres", "none (devserver: SQLite inside the temporal process)");
        default -> {
          if (temporal.pidFile() != null) {
            accounts.tree("temporal", () -> ProcCpu.pidFromFile(temporal.pidFile()));
          } else {
            accounts.note("temporal", "not measured (give --temporal-pid-file)");
          }
          if (temporal.pgPidFile() != null) {
            accounts.tree("temporal_postgres", () -> ProcCpu.pidFromFile(temporal.pgPidFile()));
          } else {
            accounts.note("temporal_postgres", "not measured (give --temporal-pg-pid-file)");
          }
        }
      }
    }
    // Alone: its children are the server (reaped into its cutime after a kill) and jcmd.
    accounts.single("harness_jvm", () -> ProcessHandle.current().pid());
    return accounts;
  }

  // --- 1. create -------------------------------------------------------------------------

  private Map<String, Object> create(int seconds) throws Exception {
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", seconds >= 10 ? "3" : "0"));
    Stats stats = new Stats();
    ProcCpu.Snapshot[] marks = new ProcCpu.Snapshot[2];
    long[] window = runFor(warmup, seconds, marks, (recording) -> {
      long t0 = System.nanoTime();
      Client.Response r = client.createInterrupt("agent-bench", "user-bench", 86_400, null);
      if (recording) {
        if (r.status() == 201) {
          stats.add((System.nanoTime() - t0) / 1000);
        } else {
          stats.errors.incrementAndGet();
        }
      }
    }, stats);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("concurrency", concurrency);
    m.put("seconds", seconds);
    m.put("throughput_per_s", Stats.round(stats.count() / (window[0] / 1e9)));
    m.putAll(stats.summary());
    Map<String, Object> cpuMs = cpu.between(marks[0], marks[1], "create", stats.count());
    cpuMs.forEach((name, v) -> {
      if (v instanceof Map<?, ?> p && p.get("per_create") instanceof Double d) {
        cpuPerCreate.put(name, d);
      }
    });
    m.put("cpu_ms", cpuMs);
    m.put("ok", stats.errors.get() == 0 && stats.count() > 0);
    return m;
  }

  interface Step {
    void run(boolean recording) throws Exception;
  }

  /**
   * Runs the step on every agent thread for warmup+seconds; returns {recorded nanos}. Takes
   * CPU snapshots into marks when recording starts and once every agent has stopped.
   */
  private long[] runFor(int warmupSeconds, int seconds, ProcCpu.Snapshot[] marks, Step step,
      Stats stats) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    long recordFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
    long end = recordFrom + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      pool.submit(() -> {
        try {
          long now;
          while ((now = System.nanoTime()) < end) {
            try {
              step.run(now >= recordFrom);
            } catch (Exception e) {
              if (now >= recordFrom) {
                stats.errors.incrementAndGet();
              }
            }
          }
        } finally {
          done.countDown();
        }
      });
    }
    long untilRecording = recordFrom - System.nanoTime();
    if (untilRecording > 0) {
      TimeUnit.NANOSECONDS.sleep(untilRecording);
    }
    marks[0] = cpu.snapshot();
    done.await();
    marks[1] = cpu.snapshot();
    pool.shutdown();
    return new long[] {end - recordFrom};
  }

  // --- 2. round trip ----------------------------------------------------------------------

  private Map<String, Object> roundTrip(int rounds) throws Exception {
    int concurrency = Integer.parseInt(
        opts.getOrDefault("roundtrip-concurrency", Integer.toString(this.concurrency)));
    Stats wake = new Stats();
    Stats decide = new Stats();
    Stats total = new Stats();
    ScheduledExecutorService reviewers = Executors.newScheduledThreadPool(Math.max(2, concurrency / 2));
    ExecutorService agents = Executors.newFixedThreadPool(concurrency);
    AtomicInteger remaining = new AtomicInteger(rounds);
    CountDownLatch done = new CountDownLatch(concurrency);
    ProcCpu.Snapshot cpuBefore = cpu.snapshot();
    for (int a = 0; a < concurrency; a++) {
      agents.submit(() -> {
        try {
          while (remaining.getAndDecrement() > 0) {
            try {
              long t0 = System.nanoTime();
              Client.Response created = client.createInterrupt("agent-rt", "user-rt", 3600, null);
              if (created.status() != 201) {
                wake.errors.incrementAndGet();
                continue;
              }
              String id = created.body().path("interruptId").asText();
              long[] decideSent = new long[1];
              long delayMs = ThreadLocalRandom.current().nextLong(20, 200);
              reviewers.schedule(() -> {
                try {
                  decideSent[0] = System.nanoTime();
                  Client.Response d = client.post("/interrupts/" + id + "/decide",
                      Map.of("decision", "approved", "reason", "bench"));
                  long tookMs = (System.nanoTime() - decideSent[0]) / 1_000_000;
                  if (tookMs > 5_000) {
                    // Rare and worth a look at the workflow's history: say which one.
                    System.out.println("  slow decide: interrupt " + id + " took " + tookMs
                        + " ms (HTTP " + d.status() + ")");
                  }
                  if (d.status() == 200) {
                    decide.add((System.nanoTime() - decideSent[0]) / 1000);
                  } else {
                    decide.errors.incrementAndGet();
                  }
                } catch (Exception e) {
                  decide.errors.incrementAndGet();
                }
              }, delayMs, TimeUnit.MILLISECONDS);
              Client.Response polled = client.get("/interrupts/" + id + "?wait=30");
              long woke = System.nanoTime();
              if (polled.status() == 200 && "approved".equals(polled.body().path("status").asText())) {
                synchronized (decideSent) {
                  wake.add((woke - decideSent[0]) / 1000);
                }
                total.add((woke - t0) / 1000);
              } else {
                wake.errors.incrementAndGet();
              }
            } catch (Exception e) {
              wake.errors.incrementAndGet();
            }
          }
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    agents.shutdown();
    reviewers.shutdown();
    reviewers.awaitTermination(10, TimeUnit.SECONDS);
    ProcCpu.Snapshot cpuAfter = cpu.snapshot();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rounds", rounds);
    m.put("concurrency", concurrency);
    m.put("decide_sent_to_agent_woke", wake.summary());
    m.put("decide_call", decide.summary());
    m.put("create_to_wake_incl_review_delay_20_200ms", total.summary());
    m.put("cpu_ms", roundCpu(cpuBefore, cpuAfter, total.count()));
    m.put("ok", wake.errors.get() == 0 && decide.errors.get() == 0);
    return m;
  }

  /**
   * CPU per round (a create, a decide, a wake); per decision is per round minus the per
   * create figure of this run's create scenario, when it ran before (quick, smoke, all).
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> roundCpu(ProcCpu.Snapshot before, ProcCpu.Snapshot after,
      long rounds) {
    Map<String, Object> m = cpu.between(before, after, "round", rounds);
    if (cpuPerCreate.isEmpty()) {
      m.put("per_decision_note", "per round only: no create scenario earlier in this run");
      return m;
    }
    boolean[] negative = {false};
    m.forEach((name, v) -> {
      if (v instanceof Map<?, ?> p && p.get("per_round") instanceof Double round
          && cpuPerCreate.containsKey(name)) {
        double perDecision = Stats.round(round - cpuPerCreate.get(name));
        negative[0] |= perDecision < 0;
        ((Map<String, Object>) p).put("per_decision", perDecision);
      }
    });
    m.put("per_decision_note", "per_round minus per_create of this run's create scenario"
        + (negative[0] ? "; negative where that create window was too short or too cold to"
            + " subtract (use per_round)" : ""));
    return m;
  }

  // --- 3. many waits ----------------------------------------------------------------------

  private Map<String, Object> manyWaits(List<Integer> levels) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Map<String, Object>> cpuRows = new ArrayList<>();
    int pending = 0;
    boolean ok = true;
    for (int level : levels) {
      long fillStart = System.nanoTime();
      ProcCpu.Snapshot cpuBefore = cpu.snapshot();
      int filled = fill(level - pending);
      ProcCpu.Snapshot cpuAfter = cpu.snapshot();
      pending += filled;
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
      // The fill up to this level only: the probe's creates and reads below are not in it.
      Map<String, Object> cpuRow = new LinkedHashMap<>();
      cpuRow.put("pending", pending);
      cpuRow.putAll(cpu.between(cpuBefore, cpuAfter, "wait", filled));
      cpuRows.add(cpuRow);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pending", pending);
      row.put("fill_seconds", Stats.round(fillSeconds));
      Thread.sleep(2000); // let the worker settle
      Stats creates = new Stats();
      Stats gets = new Stats();
      List<String> ids = probe(2000, creates, gets);
      pending += ids.size();
      row.put("create_p50_ms", creates.summary().get("p50_ms"));
      row.put("create_p99_ms", creates.summary().get("p99_ms"));
      row.put("get_p50_ms", gets.summary().get("p50_ms"));
      row.put("get_p99_ms", gets.summary().get("p99_ms"));
      ok &= creates.errors.get() == 0 && gets.errors.get() == 0;
      if (server != null) {
        row.put("server_rss_mib", server.rssBytes() / (1024 * 1024));
        if (temporal.mode().equals("devserver")) {
          // Temporal's memory is in the dev server's process, not in the server's RSS.
          long rss = server.temporalRssBytes();
          row.put("temporal_rss_mib", rss < 0 ? -1 : rss / (1024 * 1024));
        }
        row.put("heap_after_gc_mib", server.heapAfterGcBytes() / (1024 * 1024));
        row.put("postgres_mib", postgresBytes() / (1024 * 1024));
      }
      rows.add(row);
      System.out.println("  " + row);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("levels", rows);
    m.put("cpu_ms", cpuRows);
    m.put("ok", ok);
    return m;
  }

  /** Creates n long-lived pending interrupts as fast as the agents can; returns how many. */
  private int fill(int n) throws Exception {
    if (n <= 0) {
      return 0;
    }
    AtomicInteger made = new AtomicInteger();
    repeat(n, () -> {
      if (client.createInterrupt("agent-fill", "user-fill", 7 * 86_400, null).status() == 201) {
        made.incrementAndGet();
      }
    }, e -> { /* counted by the shortfall */ });
    return made.get();
  }

  interface Task {
    void run() throws Exception;
  }

  /** Runs the task n times, spread over the agent threads; a task that throws goes to onError. */
  private void repeat(int n, Task task, java.util.function.Consumer<Exception> onError)
      throws InterruptedException {
    AtomicInteger left = new AtomicInteger(n);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      pool.submit(() -> {
        try {
          while (left.getAndDecrement() > 0) {
            try {
              task.run();
            } catch (Exception e) {
              onError.accept(e);
            }
          }
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    pool.shutdown();
  }

  private List<String> probe(int n, Stats creates, Stats gets) throws Exception {
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    repeat(n, () -> {
      long t0 = System.nanoTime();
      Client.Response r = client.createInterrupt("agent-probe", "user-probe", 7 * 86_400, null);
      if (r.status() != 201) {
        creates.errors.incrementAndGet();
        return;
      }
      creates.add((System.nanoTime() - t0) / 1000);
      String id = r.body().path("interruptId").asText();
      ids.add(id);
      long t1 = System.nanoTime();
      if (client.get("/interrupts/" + id).status() == 200) {
        gets.add((System.nanoTime() - t1) / 1000);
      } else {
        gets.errors.incrementAndGet();
      }
    }, e -> creates.errors.incrementAndGet());
    return ids;
  }

  /**
   * For every interrupt the expiry sweep or the workflow expired: its 'expired' audit
   * event's time (written in the transaction that expired it, so what any reader sees from
   * then on) minus its deadline. Null when the harness did not start the server.
   */
  private Stats storeExpiredLag() {
    if (server == null) {
      return null;
    }
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + server.postgresPort() + "/postgres", "postgres", "")) {
      ResultSet rs = c.createStatement().executeQuery("""
          select (extract(epoch from e.at - i.expires_at) * 1000000)::bigint
            from interrupt_events e join interrupts i on i.id = e.interrupt_id
           where e.event = 'expired' and i.agent_id = 'agent-expiry'""");
      Stats lag = new Stats();
      while (rs.next()) {
        lag.add(Math.max(0, rs.getLong(1)));
      }
      return lag;
    } catch (Exception e) {
      System.out.println("expiry: could not read the store's expiry times: " + e.getMessage());
      return null;
    }
  }

  private long postgresBytes() {
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + server.postgresPort() + "/postgres", "postgres", "")) {
      ResultSet rs = c.createStatement().executeQuery("select pg_database_size('postgres')");
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      return -1;
    }
  }

  // --- churn: the embedded Temporal's memory under endless create-and-decide -----------

  /**
   * Creates and decides interrupts up to each level, measuring the server's heap after a
   * full GC there (and what /health says of the embedded service). Meanwhile 200 long waits
   * and 50 short ones created at the start must survive whatever the server does to bound
   * its memory: at the end every acknowledged decision is stored, every long wait is still
   * decidable, every short one expired within 5 s of its time.
   */
  private Map<String, Object> churn(List<Integer> levels) throws Exception {
    List<String> longWaits = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Long> shortWaits = new ConcurrentHashMap<>();
    repeat(200, () -> {
      Client.Response r = client.createInterrupt("agent-sentinel", "user-sentinel", 7 * 86_400, null);
      if (r.status() == 201) {
        longWaits.add(r.body().path("interruptId").asText());
      }
    }, e -> { });
    for (int i = 0; i < 50; i++) {
      // Spread over the first minutes of the run, so some expire during each recycle.
      long expiresIn = 30 + i * 6L;
      Client.Response r = client.createInterrupt("agent-sentinel", "user-sentinel", expiresIn, null);
      if (r.status() == 201) {
        shortWaits.put(r.body().path("interruptId").asText(), expiresIn);
      }
    }
    Map<String, String> decided = new ConcurrentHashMap<>();
    AtomicInteger errors = new AtomicInteger();
    List<Map<String, Object>> rows = new ArrayList<>();
    int done = 0;
    long began = System.nanoTime();
    // Heap after a full GC every `sample` interrupts: a window's lowest and highest show the
    // band the recycling keeps the heap in, whatever the phase a level ends in.
    int sample = Integer.parseInt(opts.getOrDefault("churn-sample", "2000"));
    for (int level : levels) {
      long levelStart = System.nanoTime();
      int n = level - done;
      long windowMin = Long.MAX_VALUE;
      long windowMax = 0;
      for (int chunkDone = 0; chunkDone < n; ) {
        int chunk = Math.min(sample, n - chunkDone);
        repeat(chunk, () -> {
          Client.Response c = client.createInterrupt("agent-churn", "user-churn", 3600, null);
          if (c.status() != 201) {
            errors.incrementAndGet();
            return;
          }
          String id = c.body().path("interruptId").asText();
          String decision = (id.hashCode() & 1) == 0 ? "approved" : "rejected";
          Client.Response d = client.post("/interrupts/" + id + "/decide", Map.of("decision", decision));
          if (d.status() == 200) {
            decided.put(id, decision);
          } else {
            errors.incrementAndGet();
          }
        }, e -> errors.incrementAndGet());
        chunkDone += chunk;
        if (server != null && chunkDone < n) {
          long heap = server.heapAfterGcBytes() / (1024 * 1024);
          windowMin = Math.min(windowMin, heap);
          windowMax = Math.max(windowMax, heap);
        }
      }
      done = level;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("created_and_decided", level);
      row.put("per_second", Stats.round(n / ((System.nanoTime() - levelStart) / 1e9)));
      if (server != null) {
        long heap = server.heapAfterGcBytes() / (1024 * 1024);
        row.put("heap_after_gc_mib", heap);
        row.put("window_heap_after_gc_min_mib", Math.min(windowMin, heap));
        row.put("window_heap_after_gc_max_mib", Math.max(windowMax, heap));
        row.put("server_rss_mib", server.rssBytes() / (1024 * 1024));
      }
      JsonNode details = client.get("/health").body().path("details");
      row.put("closed_workflows", details.path("embeddedClosedWorkflows").asLong(-1));
      row.put("recycles", details.path("embeddedRecycles").asLong(-1));
      row.put("errors", errors.get());
      rows.add(row);
      System.out.println("  " + row);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("levels", rows);
    m.put("minutes", Stats.round((System.nanoTime() - began) / 60e9));

    // Nothing acknowledged is lost.
    int wrong = 0;
    for (var e : decided.entrySet()) {
      Client.Response r = client.get("/interrupts/" + e.getKey());
      if (r.status() != 200 || !e.getValue().equals(r.body().path("status").asText())) {
        wrong++;
      }
    }
    int longLost = 0;
    for (String id : longWaits) {
      Client.Response r = client.post("/interrupts/" + id + "/decide", Map.of("decision", "approved"));
      if (r.status() != 200) {
        longLost++;
      }
    }
    // A short run ends before the last short wait is due: wait for it (plus the 5 s allowed).
    long lastDue = shortWaitsDue(shortWaits, began);
    long wait = lastDue + 6000 - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    long shortWorst = 0;
    int shortNotExpired = 0;
    for (String id : shortWaits.keySet()) {
      Client.Response r = client.get("/interrupts/" + id);
      if (!"expired".equals(r.body().path("status").asText())) {
        shortNotExpired++;
        continue;
      }
      long late = java.time.Duration.between(
          java.time.Instant.parse(r.body().path("expiresAt").asText()),
          java.time.Instant.parse(r.body().path("decidedAt").asText())).toMillis();
      shortWorst = Math.max(shortWorst, late);
    }
    m.put("acknowledged_decisions", decided.size());
    m.put("decisions_lost_or_wrong", wrong);
    m.put("long_waits", longWaits.size());
    m.put("long_waits_not_decidable", longLost);
    m.put("short_waits", shortWaits.size());
    m.put("short_waits_not_expired", shortNotExpired);
    m.put("short_wait_worst_lateness_ms", shortWorst);
    m.put("errors", errors.get());
    long firstHeap = rows.isEmpty() ? 0 : ((Number) rows.get(0).getOrDefault("heap_after_gc_mib", 0L)).longValue();
    long maxHeap = rows.stream().mapToLong(r -> ((Number) r.getOrDefault("heap_after_gc_mib", 0L)).longValue()).max().orElse(0);
    m.put("heap_growth_from_first_level", firstHeap == 0 ? null : Stats.round((double) maxHeap / firstHeap - 1));
    // Flat: each window's highest (and lowest) heap after GC against the first window's.
    List<Long> peaks = rows.stream()
        .map(r -> ((Number) r.getOrDefault("window_heap_after_gc_max_mib", 0L)).longValue()).toList();
    List<Long> troughs = rows.stream()
        .map(r -> ((Number) r.getOrDefault("window_heap_after_gc_min_mib", 0L)).longValue()).toList();
    if (!peaks.isEmpty() && peaks.get(0) > 0) {
      m.put("window_peak_spread_vs_first", Stats.round(
          peaks.stream().mapToLong(Long::longValue).max().orElse(0) / (double) peaks.get(0) - 1));
      m.put("window_peak_min_vs_first", Stats.round(
          peaks.stream().mapToLong(Long::longValue).min().orElse(0) / (double) peaks.get(0) - 1));
      m.put("window_trough_spread_vs_first", Stats.round(
          troughs.stream().mapToLong(Long::longValue).max().orElse(0) / (double) troughs.get(0) - 1));
    }
    m.put("ok", wrong == 0 && longLost == 0 && shortNotExpired == 0 && shortWorst < 5000);
    return m;
  }

  private static long shortWaitsDue(Map<String, Long> shortWaits, long beganNanos) {
    long startedAt = System.currentTimeMillis() - (System.nanoTime() - beganNanos) / 1_000_000;
    long maxSeconds = shortWaits.values().stream().mapToLong(Long::longValue).max().orElse(0);
    return startedAt + maxSeconds * 1000;
  }

  // --- 4. expiry storm --------------------------------------------------------------------

  private Map<String, Object> expiryStorm(int n) throws Exception {
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(8));
    receiver.createContext("/", exchange -> {
      long now = System.currentTimeMillis();
      JsonNode body = Client.JSON.readTree(exchange.getRequestBody());
      arrived.putIfAbsent(body.path("interruptId").asText(), now);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/expired";
    try {
      // Estimate the create rate, then aim every expiry at one second after all exist.
      long probeStart = System.nanoTime();
      int probed = fill(Math.min(200, n));
      double rate = Math.max(20, probed / ((System.nanoTime() - probeStart) / 1e9));
      long target = System.currentTimeMillis() + (long) (n / rate * 1300) + 10_000;
      List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger errors = new AtomicInteger();
      repeat(n, () -> {
        long expiresIn = Math.max(1, Math.round((target - System.currentTimeMillis()) / 1000.0));
        Client.Response r = client.createInterrupt("agent-expiry", "user-expiry", expiresIn, callback);
        if (r.status() == 201) {
          ids.add(r.body().path("interruptId").asText());
        } else {
          errors.incrementAndGet();
        }
      }, e -> errors.incrementAndGet());
      boolean inTime = System.currentTimeMillis() < target - 1000;
      // CPU from three seconds before the expiries are due (not the idle time before; the
      // waiters and readers below are set up in it) until the last callback arrived.
      long untilStorm = target - 3000 - System.currentTimeMillis();
      if (untilStorm > 0) {
        Thread.sleep(untilStorm);
      }
      ProcCpu.Snapshot cpuBefore = cpu.snapshot();
      // Who sees the storm, and when (client clock; server and harness share the machine):
      // waiters: a long-poll on every 5th interrupt (at most 2,000), re-issued while pending;
      // readers: 8 threads reading every 10th interrupt (at most 1,000, so that a pass over
      // them is short) in turn until each reads expired;
      // the store: when the 'expired' audit event of each was written (the moment any
      // reader would see it), from the server's own PostgreSQL;
      // racers: a decide sent 1000, 200, 50 or 10 ms before or 5 ms after the deadline of every 50th
      // interrupt; the store's
      // final word must match the answer (200: decided, 409: expired), and no reader may see
      // an interrupt expired and later decided.
      List<String> all = List.copyOf(ids);
      Map<String, Long> waiterSaw = new ConcurrentHashMap<>();
      Map<String, Long> readerSaw = new ConcurrentHashMap<>();
      Map<String, String> seen = new ConcurrentHashMap<>();
      Map<String, Integer> raceAnswer = new ConcurrentHashMap<>();
      AtomicInteger flips = new AtomicInteger();
      AtomicInteger raceNoAnswer = new AtomicInteger();
      AtomicInteger readErrors = new AtomicInteger();
      List<String> waited = new ArrayList<>();
      for (int i = 0; i < all.size() && waited.size() < 2000; i += 5) {
        waited.add(all.get(i));
      }
      for (String id : waited) {
        longPoll(id, waiterSaw, seen, readErrors);
      }
      // Each decide is scheduled for its own moment (read the deadlines first; a thread per
      // racer, so that none starts late behind another's wait or slow answer).
      Map<String, Long> raceAt = new LinkedHashMap<>();
      long[] offsets = {-1000, -200, -50, -10, 5};
      for (int i = 25; i < all.size(); i += 50) {
        String id = all.get(i);
        Client.Response r = client.get("/interrupts/" + id);
        long deadlineMs = Instant.parse(r.body().path("expiresAt").asText()).toEpochMilli();
        raceAt.put(id, deadlineMs + offsets[(i / 50) % offsets.length]);
      }
      ScheduledExecutorService racers =
          Executors.newScheduledThreadPool(Math.max(1, raceAt.size()));
      List<java.util.concurrent.Future<?>> races = new ArrayList<>();
      for (var race : raceAt.entrySet()) {
        String id = race.getKey();
        races.add(racers.schedule(() -> {
          try {
            raceAnswer.put(id, client.post("/interrupts/" + id + "/decide",
                Map.of("decision", "approved", "reason", "just in time")).status());
          } catch (IOException e) {
            // No answer (e.g. the client's 90 s timeout): the store's word is checked below.
            System.out.println("  racing decide of " + id + " got no answer: " + e);
            raceNoAnswer.incrementAndGet();
          }
          return null;
        }, Math.max(0, race.getValue() - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
      }
      List<String> sampled = new ArrayList<>();
      for (int i = 0; i < all.size() && sampled.size() < 1000; i += 10) {
        sampled.add(all.get(i));
      }
      int readers = 8;
      ExecutorService readerPool = Executors.newFixedThreadPool(readers);
      long readUntil = target + Math.max(120_000, n * 50L);
      for (int t = 0; t < readers; t++) {
        int part = t;
        readerPool.submit(() -> {
          List<String> mine = new ArrayList<>();
          for (int i = part; i < sampled.size(); i += readers) {
            mine.add(sampled.get(i));
          }
          while (!mine.isEmpty() && System.currentTimeMillis() < readUntil) {
            if (System.currentTimeMillis() < target - 2000) {
              Thread.sleep(100);
              continue;
            }
            for (java.util.Iterator<String> it = mine.iterator(); it.hasNext(); ) {
              String id = it.next();
              Client.Response r = client.get("/interrupts/" + id);
              long now = System.currentTimeMillis();
              if (r.status() != 200) {
                readErrors.incrementAndGet();
                continue;
              }
              String status = r.body().path("status").asText();
              if (!status.equals("pending")) {
                readerSaw.put(id, now);
                seen.merge(id, status, (a, b) -> a.equals(b) ? a : a + "," + b);
                it.remove();
              }
            }
          }
          return null;
        });
      }
      readerPool.shutdown();
      readerPool.awaitTermination(readUntil - System.currentTimeMillis() + 10_000, TimeUnit.MILLISECONDS);
      for (var race : races) {
        race.get();
      }
      racers.shutdown();
      // Wait for every callback: 120 s past the target, or longer for a big storm (20/s).
      long deadline = target + Math.max(120_000, n * 50L);
      while ((arrived.size() < ids.size() || waiterSaw.size() < waited.size())
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      ProcCpu.Snapshot cpuAfter = cpu.snapshot();
      Stats statusLag = new Stats();
      Stats readerLag = new Stats();
      Stats waiterLag = new Stats();
      Stats callbackLag = new Stats();
      long minExpiry = Long.MAX_VALUE;
      long maxExpiry = Long.MIN_VALUE;
      int racesWon = 0;
      int racesLost = 0;
      int raceMismatch = 0;
      for (String id : ids) {
        Client.Response r = client.get("/interrupts/" + id);
        JsonNode b = r.body();
        String status = b == null ? "" : b.path("status").asText();
        Integer answer = raceAnswer.get(id);
        if (answer != null) {
          if (answer == 200 && status.equals("approved")) {
            racesWon++;
          } else if (answer == 409 && status.equals("expired")) {
            racesLost++;
          } else {
            raceMismatch++;
          }
        }
        if (r.status() != 200 || !(status.equals("expired") || answer != null)) {
          statusLag.errors.incrementAndGet();
          continue;
        }
        long expiresAt = Instant.parse(b.path("expiresAt").asText()).toEpochMilli();
        minExpiry = Math.min(minExpiry, expiresAt);
        maxExpiry = Math.max(maxExpiry, expiresAt);
        if (!status.equals("expired")) {
          continue; // decided in time by a racer
        }
        long decidedAt = Instant.parse(b.path("decidedAt").asText()).toEpochMilli();
        statusLag.add(Math.max(0, decidedAt - expiresAt) * 1000);
        Long read = readerSaw.get(id);
        if (read != null) {
          readerLag.add(Math.max(0, read - expiresAt) * 1000);
        } else if (sampled.contains(id)) {
          readerLag.errors.incrementAndGet();
        }
        Long woke = waiterSaw.get(id);
        if (woke != null) {
          waiterLag.add(Math.max(0, woke - expiresAt) * 1000);
        } else if (waited.contains(id)) {
          waiterLag.errors.incrementAndGet();
        }
        Long at = arrived.get(id);
        if (at == null) {
          callbackLag.errors.incrementAndGet();
        } else {
          callbackLag.add(Math.max(0, at - expiresAt) * 1000);
        }
      }
      // Whatever a reader or waiter saw first must be what the store says at the end.
      for (var e : seen.entrySet()) {
        Client.Response r = client.get("/interrupts/" + e.getKey());
        String last = r.body() == null ? "" : r.body().path("status").asText();
        if (e.getValue().contains(",") || !e.getValue().equals(last)) {
          flips.incrementAndGet();
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("interrupts", ids.size());
      m.put("create_errors", errors.get());
      m.put("all_created_before_expiry", inTime);
      m.put("expiry_spread_ms", maxExpiry - minExpiry);
      m.put("expired_status_lag", statusLag.summary());
      m.put("readers_sampled", sampled.size());
      m.put("reader_saw_expired_lag", readerLag.summary());
      Stats storeLag = storeExpiredLag();
      if (storeLag != null) {
        m.put("store_expired_lag", storeLag.summary());
      }
      m.put("waiters", waited.size());
      m.put("waiter_woke_expired_lag", waiterLag.summary());
      m.put("callback_lag", callbackLag.summary());
      m.put("cpu_ms", cpu.between(cpuBefore, cpuAfter, "expiry", ids.size()));
      m.put("races_at_deadline", Map.of("answered", raceAnswer.size(), "decided_200",
          racesWon, "expired_409", racesLost, "answer_store_mismatch", raceMismatch,
          "no_answer", raceNoAnswer.get()));
      m.put("first_seen_differs_from_final", flips.get());
      m.put("read_errors", readErrors.get());
      m.put("ok", errors.get() == 0 && statusLag.errors.get() == 0 && callbackLag.errors.get() == 0
          && readerLag.errors.get() == 0 && waiterLag.errors.get() == 0 && raceMismatch == 0
          && raceNoAnswer.get() == 0 && flips.get() == 0);
      return m;
    } finally {
      receiver.stop(0);
    }
  }

  /** Long-polls {@code id} until it leaves pending; records when a waiter saw it expired. */
  private void longPoll(String id, Map<String, Long> saw, Map<String, String> seen,
      AtomicInteger errors) {
    client.getAsync("/interrupts/" + id + "?wait=55").whenComplete((r, e) -> {
      if (e != null || r.status() != 200) {
        errors.incrementAndGet();
        return;
      }
      String status = r.body().path("status").asText();
      if (status.equals("pending")) {
        longPoll(id, saw, seen, errors);
      } else {
        saw.putIfAbsent(id, System.currentTimeMillis());
        seen.merge(id, status, (a, b) -> a.equals(b) ? a : a + "," + b);
      }
    });
  }

  // --- 5. restart under load --------------------------------------------------------------

  private Map<String, Object> restart(int seconds) throws Exception {
    if (server == null) {
      System.out.println("restart: skipped (needs the server the harness starts itself)");
      return null;
    }
    Map<String, String> ledger = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    ProcCpu.Snapshot cpuBefore = cpu.snapshot();
    for (int i = 0; i < concurrency; i++) {
      pool.submit(() -> {
        int n = 0;
        while (running.get()) {
          n++;
          try {
            Client.Response r = client.createInterrupt("agent-restart", "user-restart", 86_400, null);
            if (r.status() != 201) {
              continue;
            }
            String id = r.body().path("interruptId").asText();
            ledger.put(id, "pending");
            if (n % 2 == 0) {
              String decision = n % 4 == 0 ? "approved" : "rejected";
              if (client.post("/interrupts/" + id + "/decide", Map.of("decision", decision)).status() == 200) {
                ledger.put(id, decision);
              }
            }
          } catch (Exception e) {
            // the kill makes in-flight calls fail; only acknowledged ones are in the ledger
          }
        }
      });
    }
    Thread.sleep(seconds * 1000L);
    ProcCpu.Snapshot cpuAtKill = cpu.snapshot();
    server.kill9();
    running.set(false);
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    ProcCpu.Snapshot cpuAfterKill = cpu.snapshot();
    long healthyMs = server.start();
    long recoveryStart = System.nanoTime();
    long recoveredMs = -1;
    while (System.nanoTime() - recoveryStart < TimeUnit.SECONDS.toNanos(300)) {
      Client.Response h = client.get("/health");
      if ("done".equals(h.body().path("checks").path("recovery").asText())) {
        recoveredMs = healthyMs + (System.nanoTime() - recoveryStart) / 1_000_000;
        break;
      }
      Thread.sleep(20);
    }
    ProcCpu.Snapshot cpuRecovered = cpu.snapshot();
    int lost = 0;
    int wrong = 0;
    for (var e : ledger.entrySet()) {
      Client.Response r = client.get("/interrupts/" + e.getKey());
      if (r.status() != 200) {
        lost++;
      } else if (!e.getValue().equals("pending") && !e.getValue().equals(r.body().path("status").asText())) {
        wrong++;
      }
    }
    // Every pending one must be decidable again (its workflow is back).
    int undecidable = 0;
    int checked = 0;
    for (var e : ledger.entrySet()) {
      if (e.getValue().equals("pending") && checked++ < 200) {
        int status = client.post("/interrupts/" + e.getKey() + "/decide", Map.of("decision", "approved")).status();
        if (status != 200 && status != 409) {
          undecidable++;
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("load_seconds_before_kill", seconds);
    m.put("acknowledged_creates", ledger.size());
    m.put("acknowledged_decisions", ledger.values().stream().filter(v -> !v.equals("pending")).count());
    m.put("restart_to_healthy_ms", healthyMs);
    m.put("restart_to_all_workflows_recreated_ms", recoveredMs);
    m.put("lost_creates", lost);
    m.put("lost_or_changed_decisions", wrong);
    m.put("pending_not_decidable_after_restart", undecidable);
    // The load until just before the kill, per acknowledged create or decision.
    m.put("cpu_ms", cpu.between(cpuBefore, cpuAtKill, "write", ledger.size()
        + ledger.values().stream().filter(v -> !v.equals("pending")).count()));
    // The new server from its start until every pending wait's workflow was re-created: its
    // JVM and PostgreSQL are new processes, counted from their start; the old PostgreSQL
    // that the new server stops is not counted.
    m.put("recovery_cpu_ms", cpu.between(cpuAfterKill, cpuRecovered, "restart", 1));
    m.put("ok", lost == 0 && wrong == 0 && undecidable == 0 && recoveredMs >= 0);
    return m;
  }

  // --- output -----------------------------------------------------------------------------

  private void report(String scenario, Map<String, Object> result) throws IOException {
    Map<String, Object> recorded = new LinkedHashMap<>();
    if (temporal != null) {
      recorded.put("temporal", temporal.describe());
    }
    recorded.putAll(result);
    System.out.println();
    System.out.println("== " + scenario + " ==");
    print(recorded, "  ");
    Files.writeString(out.resolve(scenario + ".json"),
        Client.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(recorded));
  }

  @SuppressWarnings("unchecked")
  private static void print(Map<String, Object> m, String indent) {
    for (var e : m.entrySet()) {
      if (e.getKey().endsWith("cpu_ms")) {
        List<?> blocks = e.getValue() instanceof List<?> list ? list : List.of(e.getValue());
        for (Object block : blocks) {
          printCpu(e.getKey(), (Map<String, Object>) block, indent);
        }
      } else if (e.getValue() instanceof Map<?, ?> nested) {
        System.out.println(indent + e.getKey() + ":");
        print((Map<String, Object>) nested, indent + "  ");
      } else if (e.getValue() instanceof List<?> list) {
        System.out.println(indent + e.getKey() + ":");
        for (Object row : list) {
          System.out.println(indent + "  " + row);
        }
      } else {
        System.out.printf("%s%-40s %s%n", indent, e.getKey(), e.getValue());
      }
    }
  }

  /** Keys of a CPU block that describe it rather than name a process. */
  private static final Set<String> CPU_META =
      Set.of("window_seconds", "unit", "units", "pending", "per_decision_note");

  /** A CPU block as a table: one row per process, total and per-unit columns. */
  private static void printCpu(String key, Map<String, Object> block, String indent) {
    String unit = (String) block.get("unit");
    List<String> columns = new ArrayList<>(List.of("total", "per_" + unit));
    block.values().forEach(v -> {
      if (v instanceof Map<?, ?> p && p.containsKey("per_decision") && !columns.contains("per_decision")) {
        columns.add("per_decision");
      }
    });
    System.out.printf("%s%s: CPU ms over %s s, %s %s%s%s%n", indent, key,
        block.get("window_seconds"), block.get("units"),
        Long.valueOf(1).equals(block.get("units")) ? unit
            : unit.endsWith("y") ? unit.substring(0, unit.length() - 1) + "ies" : unit + "s",
        block.containsKey("pending") ? " (" + block.get("pending") + " pending after)" : "",
        block.containsKey("per_decision_note") ? "; per_decision: " + block.get("per_decision_note") : "");
    StringBuilder header = new StringBuilder(String.format("%s  %-20s", indent, "process"));
    columns.forEach(c -> header.append(String.format(" %13s", c)));
    System.out.println(header);
    for (var e : block.entrySet()) {
      if (CPU_META.contains(e.getKey())) {
        continue;
      }
      StringBuilder row = new StringBuilder(String.format("%s  %-20s", indent, e.getKey()));
      if (e.getValue() instanceof Map<?, ?> p) {
        columns.forEach(c -> row.append(String.format(" %13s", p.containsKey(c) ? p.get(c) : "")));
        if (Boolean.TRUE.equals(p.get("started_in_window"))) {
          row.append("  (started in the window)");
        }
      } else {
        row.append(" ").append(e.getValue());
      }
      System.out.println(row);
    }
  }

  private static List<Integer> parseList(String s) {
    List<Integer> list = new ArrayList<>();
    for (String part : s.split(",")) {
      list.add(Integer.parseInt(part.trim()));
    }
    return list;
  }
}
