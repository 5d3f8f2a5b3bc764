package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.workflows.InterlockSearchAttributes;
import dev.interlock.workflows.InterruptWorkflow;
import io.grpc.StatusRuntimeException;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered shape on one machine, with the shipped jar and config, against a real
 * Temporal server: the test runs {@code temporal server start-dev} itself as the cluster.
 * Server A owns the PostgreSQL (embedded) and serves HTTP without a worker; a separate
 * {@code worker} process and a second server B use A's PostgreSQL; all three reach Temporal
 * as an external cluster. A decision taken on A through the worker process wakes a long-poll
 * on B, and the waits carry Interlock's search attributes, which the servers registered on
 * the fresh namespace.
 */
class ClusterModeIT {

  static final String KEY = "cluster-admin-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  /** Started in this order, stopped in the reverse: Interlock before its Temporal. */
  final List<Process> processes = new ArrayList<>();

  @TempDir Path data;

  @AfterEach
  void stopAll() throws Exception {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    Path pid = data.resolve("a/postgres/postmaster.pid");
    if (Files.exists(pid)) {
      ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim()))
          .ifPresent(ProcessHandle::destroy);
    }
  }

  @Test
  void givenSeparateWorkerAndTwoServers_whenDecidedOnOne_thenWorkerRunsItAndOtherServerWakes()
      throws Exception {
    Path cli = TestTemporal.cli();
    int portA = freePort();
    int portB = freePort();
    String temporal = startCluster(cli);
    try (TemporalInspector cluster = new TemporalInspector(temporal, "default")) {
      awaitServing(cluster);
      assertThat(cluster.searchAttributes().keySet()).as("a fresh cluster's attributes")
          .doesNotContainAnyElementsOf(InterlockSearchAttributes.definitions().keySet());

      Path logA = data.resolve("a.log");
      int adminA = freePort();
      start(logA, Map.of("PORT", "" + portA, "INTERLOCK_DATA_DIR", data.resolve("a").toString(),
          "TEMPORAL_MODE", "external", "TEMPORAL_TARGET", temporal,
          "INTERLOCK_WORKER_ENABLED", "false", "ADMIN_PORT", "" + adminA), "server");
      awaitHealthy(portA, logA);
      int pgPort = embeddedPostgresPort(logA);
      // Server A found the namespace without them and registered them, with their types.
      assertThat(cluster.searchAttributes())
          .containsAllEntriesOf(InterlockSearchAttributes.definitions());
      assertThat(Files.readString(logA)).contains("Temporal: external mode",
          "Temporal search attributes: registered");

      Map<String, String> external = Map.of(
          "DATABASE_EMBEDDED", "false",
          "DATABASE_URL", "jdbc:postgresql://localhost:" + pgPort + "/postgres",
          "DATABASE_USER", "postgres",
          "TEMPORAL_MODE", "external",
          "TEMPORAL_TARGET", temporal,
          "INTERLOCK_WORKER_ENABLED", "false");
      Path logWorker = data.resolve("worker.log");
      int workerMetrics = freePort();
      Map<String, String> envWorker = new java.util.HashMap<>(external);
      envWorker.put("INTERLOCK_WORKER_METRICS_PORT", "" + workerMetrics);
      start(logWorker, envWorker, "worker");
      Path logB = data.resolve("b.log");
      Map<String, String> envB = new java.util.HashMap<>(external);
      envB.put("PORT", "" + portB);
      start(logB, envB, "server");
      awaitHealthy(portB, logB);
      assertThat(Files.readString(logB)).contains("all " + InterlockSearchAttributes.ALL.size()
          + " Interlock attributes registered");

      String agent = "cluster-agent-" + UUID.randomUUID();
      var created = post(portA, "/interrupts", Map.of("agentId", agent, "userId", "u",
          "action", "Cluster"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = JSON.readTree(created.body()).path("interruptId").asText();
      assertThat(JSON.readTree(get(portB, "/interrupts/" + id).body()).path("status").asText())
          .isEqualTo("pending");
      // An operator finds the wait in Temporal by the agent that asked.
      String workflowId = InterruptWorkflow.workflowId(id);
      String pendingOfAgent = "InterlockStatus = \"pending\" AND InterlockAgent = \"" + agent
          + "\"";
      assertThat(cluster.awaitWorkflowIds(pendingOfAgent, ids -> ids.contains(workflowId),
          Duration.ofSeconds(10))).containsExactly(workflowId);

      CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(() -> {
        try {
          return get(portB, "/interrupts/" + id + "?wait=30");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(500);
      assertThat(poll).isNotDone();
      var decided = post(portA, "/interrupts/" + id + "/decide", Map.of("decision", "approved"));
      long decidedAt = System.nanoTime();
      assertThat(decided.statusCode())
          .as(decided.body() + "\nworker log:\n" + Files.readString(logWorker)).isEqualTo(200);
      var woke = poll.get(10, TimeUnit.SECONDS);
      long wakeMs = (System.nanoTime() - decidedAt) / 1_000_000;
      System.out.printf("long-poll on server B woke %d ms after the decide on server A"
          + " returned (real Temporal cluster)%n", wakeMs);
      assertThat(JSON.readTree(woke.body()).path("status").asText()).isEqualTo("approved");
      assertThat(wakeMs).isLessThan(2000);
      assertThat(Files.readString(logWorker))
          .contains("worker polling task queue interlock-interrupts");
      // The workflow upserted its new status: no longer listed as pending, but as approved.
      String approvedOfAgent = "InterlockStatus = \"approved\" AND InterlockAgent = \"" + agent
          + "\"";
      assertThat(cluster.awaitWorkflowIds(approvedOfAgent, ids -> ids.contains(workflowId),
          Duration.ofSeconds(10))).containsExactly(workflowId);
      assertThat(cluster.list(pendingOfAgent)).isEmpty();

      // Metrics: the worker process serves its own (worker.metricsPort), the decision it
      // projected among them; server A's admin port has the SDK's from an external cluster.
      String workerScrape = scrape("http://127.0.0.1:" + workerMetrics + "/metrics");
      assertThat(workerScrape).contains(
          "interlock_interrupts_decided_total{dialect=\"loopin\",outcome=\"approved\"} 1.0",
          "temporal_workflow_task_execution_latency_seconds_bucket", "jvm_memory_heap_used");
      String serverScrape = scrape("http://127.0.0.1:" + adminA + "/metrics/prometheus");
      assertThat(serverScrape).contains(
          "interlock_interrupts_creations_total{dialect=\"loopin\"} 1.0", "temporal_request_total");
    }
  }

  private static String scrape(String url) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * Runs {@code temporal server start-dev} as the cluster: headless, on a free loopback
   * port, its SQLite file in the test's directory. Returns its gRPC address.
   */
  private String startCluster(Path cli) throws IOException {
    int port = TestTemporal.freePort();
    ProcessBuilder pb = new ProcessBuilder(cli.toString(), "server", "start-dev", "--headless",
        "--ip", "127.0.0.1", "--port", Integer.toString(port),
        "--db-filename", data.resolve("cluster.db").toString(), "--log-level", "warn");
    pb.redirectErrorStream(true);
    pb.redirectOutput(data.resolve("temporal.log").toFile());
    processes.add(pb.start());
    return "127.0.0.1:" + port;
  }

  private void awaitServing(TemporalInspector cluster) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      assertThat(processes.get(0).isAlive()).as("temporal server start-dev exited: %s",
          Files.readString(data.resolve("temporal.log"))).isTrue();
      try {
        cluster.searchAttributes();
        return;
      } catch (StatusRuntimeException notYet) {
        assertThat(System.nanoTime()).as("Temporal serving within 60 s").isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  private void start(Path log, Map<String, String> env, String command) throws IOException {
    String jar = System.getProperty("interlock.jar", "target/interlock.jar");
    String config = System.getProperty("interlock.config", "../config.yml");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-jar", jar, command, config);
    pb.environment().put("ADMIN_PORT", Integer.toString(freePort()));
    pb.environment().put("INTERLOCK_ADMIN_KEY", KEY);
    // Servers on an external database refuse to start without a shared login-token secret.
    pb.environment().put("INTERLOCK_JWT_SECRET", "cluster-mode-it-jwt-secret-0123456789abcdef");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    processes.add(pb.start());
  }

  private int embeddedPostgresPort(Path log) throws IOException {
    Matcher m = Pattern.compile("embedded PostgreSQL started on localhost:(\\d+)").matcher(Files.readString(log));
    assertThat(m.find()).as("PostgreSQL port in the log").isTrue();
    return Integer.parseInt(m.group(1));
  }

  private void awaitHealthy(int port, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (get(port, "/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not healthy: " + Files.readString(log));
  }

  private HttpResponse<String> post(int port, String path, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(40)).header("X-API-Key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(40)).header("X-API-Key", KEY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
