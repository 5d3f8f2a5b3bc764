package dev.interlock.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interlock started from the shipped jar, as a user starts it, with its embedded PostgreSQL
 * and the Temporal the harness was asked for.
 */
final class Server implements AutoCloseable {

  /** Environment variables that choose the Temporal; the harness sets them, never inherits. */
  private static final List<String> TEMPORAL_ENV = List.of("TEMPORAL_MODE", "TEMPORAL_EMBEDDED",
      "TEMPORAL_CLI_PATH", "TEMPORAL_PORT", "TEMPORAL_UI_PORT", "TEMPORAL_TARGET");

  final Path dataDir;
  final int port;
  final String key;
  final TemporalSetup temporal;
  /**
   * Devserver: its gRPC port, free when the harness starts and kept across restarts, since
   * the dev server reopens the same SQLite file and the worker reconnects to the same address.
   */
  private final int temporalPort;
  private final String jar;
  private final String config;
  private final List<String> jvmArgs;
  private Process process;
  private final Path log;

  Server(String jar, String config, Path dataDir, String key, List<String> jvmArgs,
      TemporalSetup temporal) throws IOException {
    this.jar = jar;
    this.config = config;
    this.dataDir = dataDir;
    this.key = key;
    this.jvmArgs = jvmArgs;
    this.temporal = temporal;
    this.port = freePort();
    this.temporalPort = temporal.mode().equals("devserver") ? freeLowPort() : -1;
    this.log = dataDir.resolve("server.log");
    Files.createDirectories(dataDir);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Devserver: the dev server's own pid, which Interlock writes; else -1. */
  long temporalPid() {
    try {
      return Long.parseLong(Files.readString(dataDir.resolve("temporal/devserver.pid")).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The embedded PostgreSQL's postmaster, from {@code <data>/postgres/postmaster.pid}
   * (InterlockApplication puts PostgreSQL's data in {@code <dataDir>/postgres}); -1 when it
   * is not running.
   */
  long postgresPid() {
    return ProcCpu.pidFromFile(dataDir.resolve("postgres/postmaster.pid"));
  }

  /** The server JVM's pid, or -1 before the first start. */
  long pidOrNone() {
    return process == null ? -1 : process.pid();
  }

  /** Starts the server; returns the milliseconds until /health answered 200. */
  long start() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar, "server", config));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("ADMIN_PORT", Integer.toString(freePort()));
    pb.environment().put("INTERLOCK_DATA_DIR", dataDir.toString());
    pb.environment().put("INTERLOCK_ADMIN_KEY", key);
    TEMPORAL_ENV.forEach(pb.environment()::remove);
    pb.environment().put("TEMPORAL_MODE", temporal.mode());
    if (temporal.cli() != null) {
      pb.environment().put("TEMPORAL_CLI_PATH", temporal.cli().toString());
      pb.environment().put("TEMPORAL_PORT", Integer.toString(temporalPort));
      // No Web UI: a benchmark does not look at it, and it would take CPU from the run.
      pb.environment().put("TEMPORAL_UI_PORT", "0");
    }
    if (temporal.target() != null) {
      pb.environment().put("TEMPORAL_TARGET", temporal.target());
    }
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long started = System.nanoTime();
    process = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited; see " + log);
      }
      try {
        var r = http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return (System.nanoTime() - started) / 1_000_000;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("server not healthy within 120 s; see " + log);
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The Temporal mode the server's log says it chose at its latest start, or null. */
  String temporalModeInLog() throws IOException {
    Matcher m = Pattern.compile("Temporal: (\\w+) mode").matcher(Files.readString(log));
    String mode = null;
    while (m.find()) {
      mode = m.group(1);
    }
    return mode;
  }

  /** Resident set size of the server JVM, from /proc (Linux). */
  long rssBytes() throws IOException {
    return rssBytes(pid());
  }

  /** Devserver: the dev server's resident set size; else -1. */
  long temporalRssBytes() throws IOException {
    long pid = temporalPid();
    return pid > 0 && ProcessHandle.of(pid).isPresent() ? rssBytes(pid) : -1;
  }

  /** Resident set size of a process, from /proc (Linux). */
  private static long rssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Heap in use right after a full GC, via jcmd. */
  long heapAfterGcBytes() throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    run(jcmd, Long.toString(pid()), "GC.run");
    String info = run(jcmd, Long.toString(pid()), "GC.heap_info");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  int postgresPort() throws IOException {
    Matcher m = Pattern.compile("embedded PostgreSQL started on localhost:(\\d+)")
        .matcher(Files.readString(log));
    int port = -1;
    while (m.find()) {
      port = Integer.parseInt(m.group(1)); // the latest start
    }
    return port;
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    // Interlock stops its dev server as it stops; one that outlived it (a kill) stops here.
    long devServer = temporalPid();
    if (devServer <= 0) {
      return;
    }
    ProcessHandle.of(devServer).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().or(() -> h.info().command())
            .map(c -> c.contains("temporal")).orElse(false))
        .ifPresent(h -> {
          h.destroy();
          try {
            h.onExit().get(15, TimeUnit.SECONDS);
          } catch (Exception e) {
            h.destroyForcibly();
          }
        });
  }

  /**
   * A free port below the ephemeral range, for the dev server: it picks its own HTTP API and
   * metrics ports from the ephemeral range, and could take one handed out here meanwhile.
   */
  static int freeLowPort() {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int candidate = 20_000 + random.nextInt(12_000);
      try (ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return candidate;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000-31999 on loopback");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
