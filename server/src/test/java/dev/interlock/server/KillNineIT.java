package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar, started as a user starts it, is killed with SIGKILL while agents create
 * and people decide; after a restart on the same data directory every acknowledged create
 * and every acknowledged decision is there. Runs in the integration-test phase, after the
 * jar is built.
 */
class KillNineIT {

  static final String KEY = "kill-nine-admin-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path data;
  Process server;

  @AfterEach
  void cleanUp() throws Exception {
    if (server != null && server.isAlive()) {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    // Never leave an embedded PostgreSQL behind, even when the test failed midway.
    Path pid = data.resolve("postgres/postmaster.pid");
    if (Files.exists(pid)) {
      long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
      ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
    }
  }

  @Test
  void givenLoad_whenKilledWithSigkill_thenNoAcknowledgedCreateOrDecisionIsLost() throws Exception {
    int port = freePort();
    long started = System.nanoTime();
    server = start(port);
    awaitHealthy(port, Duration.ofSeconds(90));
    System.out.printf("startup to healthy (first start, initdb): %d ms%n",
        (System.nanoTime() - started) / 1_000_000);

    Map<String, String> acknowledgedCreates = new ConcurrentHashMap<>();
    Map<String, String> acknowledgedDecisions = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService agents = Executors.newFixedThreadPool(6);
    for (int t = 0; t < 6; t++) {
      int thread = t;
      agents.submit(() -> {
        int i = 0;
        while (running.get() && i < 10_000) {
          i++;
          try {
            HttpResponse<String> created = post(port, "/interrupts", Map.of("agentId", "agent-" + thread,
                "userId", "kill9", "action", "Action " + thread + "-" + i, "expiresIn", 3600));
            if (created.statusCode() != 201) {
              continue;
            }
            String id = JSON.readTree(created.body()).path("interruptId").asText();
            acknowledgedCreates.put(id, "pending");
            if (i % 2 == 0) {
              String decision = i % 4 == 0 ? "approved" : "rejected";
              HttpResponse<String> decided = post(port, "/interrupts/" + id + "/decide",
                  Map.of("decision", decision));
              if (decided.statusCode() == 200) {
                acknowledgedDecisions.put(id, decision);
              }
            }
          } catch (Exception e) {
            // The server is being killed: unacknowledged requests may fail.
          }
        }
      });
    }
    Thread.sleep(4000);
    server.destroyForcibly(); // SIGKILL: no shutdown hooks, no graceful stop
    server.waitFor(30, TimeUnit.SECONDS);
    running.set(false);
    agents.shutdown();
    assertThat(agents.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledgedCreates).hasSizeGreaterThan(10);
    assertThat(acknowledgedDecisions).isNotEmpty();

    long restarted = System.nanoTime();
    server = start(port);
    awaitHealthy(port, Duration.ofSeconds(90));
    System.out.printf("restart to healthy after SIGKILL: %d ms; %d creates and %d decisions acknowledged%n",
        (System.nanoTime() - restarted) / 1_000_000, acknowledgedCreates.size(), acknowledgedDecisions.size());

    for (String id : acknowledgedCreates.keySet()) {
      HttpResponse<String> got = get(port, "/interrupts/" + id);
      assertThat(got.statusCode()).as("acknowledged interrupt %s", id).isEqualTo(200);
      JsonNode body = JSON.readTree(got.body());
      String expected = acknowledgedDecisions.get(id);
      if (expected != null) {
        assertThat(body.path("status").asText()).as("decision of %s", id).isEqualTo(expected);
      }
    }
    // Those still pending are still decidable after the crash.
    List<String> pending = acknowledgedCreates.keySet().stream()
        .filter(id -> !acknowledgedDecisions.containsKey(id)).limit(5).toList();
    for (String id : pending) {
      HttpResponse<String> decided = post(port, "/interrupts/" + id + "/decide", Map.of("decision", "approved"));
      // 409 only if a decision was applied but its answer lost in the kill.
      assertThat(decided.statusCode()).as(decided.body()).isIn(200, 409);
    }
  }

  private Process start(int port) throws IOException {
    String jar = System.getProperty("interlock.jar", "target/interlock.jar");
    Path config = Path.of(System.getProperty("interlock.config", "../config.yml"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar, "server", config.toString());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("ADMIN_PORT", Integer.toString(freePort()));
    pb.environment().put("INTERLOCK_DATA_DIR", data.toString());
    pb.environment().put("INTERLOCK_ADMIN_KEY", KEY);
    // This test is about the embedded mode; DevServerKillNineIT covers the dev server.
    pb.environment().put("TEMPORAL_MODE", "embedded");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
    return pb.start();
  }

  private void awaitHealthy(int port, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server process exited; see " + data.resolve("server.log")).isTrue();
      try {
        if (get(port, "/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not healthy within " + within + ": " + Files.readString(data.resolve("server.log")));
  }

  private HttpResponse<String> post(int port, String path, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("X-API-Key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("X-API-Key", KEY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
