package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port's Prometheus scrape, before and after a scripted workload over the real
 * doors (REST in two dialects, a callback and a webhook to a local receiver, an MCP tool
 * call, a rate-limited key): each product metric moves by exactly what the workload did, and
 * the Temporal SDK's, the JVM's and Jetty's metrics are in the same scrape.
 */
class MetricsTest {

  @TempDir static Path data;
  static TestApp app;
  static CallbackReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
    receiver.close();
  }

  @Test
  void givenAWorkload_whenScrapedAgain_thenEachProductMetricMovedByWhatWasDone() throws Exception {
    Scrape before = Scrape.of(app);

    // LoopIn: one approved while a long-poll waits on it, one rejected, one expires, one
    // cancelled, one approved with a callback to the local receiver.
    String waitedOn = createLoopin("Approve while polled");
    CompletableFuture<Resp> poll = CompletableFuture.supplyAsync(
        () -> app.get("/interrupts/" + waitedOn + "?wait=30", ADMIN_KEY));
    assertThat(eventually(Duration.ofSeconds(10),
        () -> Scrape.of(app).value("interlock_waiters_open", "kind", "long_poll") == 1))
        .as("the long-poll is held").isTrue();
    decideLoopin(waitedOn, "approved");
    assertThat(poll.get().text("status")).isEqualTo("approved");

    // A review page's event stream waiting on one, which the decision reaches live.
    Resp watched = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Approve while watched"));
    String watchedId = watched.text("interruptId");
    String token = URI.create(watched.text("reviewUrl")).getQuery().substring("token=".length());
    HttpResponse<java.util.stream.Stream<String>> sse = app.http().send(app.builder(
        "/review/" + watchedId + "/events?token=" + token, null)
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(sse.statusCode()).isEqualTo(200);
    CompletableFuture<List<String>> streamed = CompletableFuture.supplyAsync(
        () -> sse.body().toList());
    assertThat(eventually(Duration.ofSeconds(10),
        () -> Scrape.of(app).value("interlock_waiters_open", "kind", "sse") == 1))
        .as("the event stream is open").isTrue();
    decideLoopin(watchedId, "approved");
    assertThat(streamed.get(15, java.util.concurrent.TimeUnit.SECONDS))
        .anyMatch(line -> line.contains("\"status\":\"approved\""));

    decideLoopin(createLoopin("Reject me"), "rejected");
    String expiring = app.post("/interrupts", ADMIN_KEY,
        interrupt("u", "Expire me", "expiresIn", 1)).text("interruptId");
    String cancelled = createLoopin("Cancel me");
    assertThat(app.delete("/interrupts/" + cancelled, ADMIN_KEY).status()).isEqualTo(200);
    String called = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Call back",
        "callbackUrl", receiver.url("/metrics-callback"))).text("interruptId");
    decideLoopin(called, "approved");
    assertThat(eventually(Duration.ofSeconds(15),
        () -> !receiver.to("/metrics-callback").isEmpty())).isTrue();
    assertThat(eventually(Duration.ofSeconds(15),
        () -> "expired".equals(app.get("/interrupts/" + expiring, ADMIN_KEY).text("status"))))
        .isTrue();

    // AgentGate: one approved by a policy, then (with a webhook for approvals) one by a person.
    String action = "metrics_policy_" + System.nanoTime();
    Resp policy = app.post("/api/policies", ADMIN_KEY, Map.of("name", "metrics", "rules",
        List.of(Map.of("match", Map.of("action", action), "decision", "auto_approve"))));
    assertThat(policy.status()).as(policy.raw().body()).isEqualTo(201);
    String byPolicy = app.post("/api/requests", ADMIN_KEY, Map.of("action", action)).text("id");
    assertThat(eventually(Duration.ofSeconds(15), () -> "approved".equals(
        app.get("/api/requests/" + byPolicy, ADMIN_KEY).text("status")))).isTrue();
    app.delete("/api/policies/" + policy.text("id"), ADMIN_KEY);

    Resp hook = app.post("/api/webhooks", ADMIN_KEY, Map.of("url",
        receiver.url("/metrics-hook"), "events", List.of("request.approved")));
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    String byPerson = app.post("/api/requests", ADMIN_KEY, Map.of("action", "metrics_person"))
        .text("id");
    assertThat(app.post("/api/requests/" + byPerson + "/decide", ADMIN_KEY,
        Map.of("decision", "approved")).status()).isEqualTo(200);
    assertThat(eventually(Duration.ofSeconds(15),
        () -> receiver.to("/metrics-hook").size() == 1)).isTrue();
    app.delete("/api/webhooks/" + hook.text("id"), ADMIN_KEY);

    // One MCP tool call, and one request refused by a key's rate limit.
    try (McpSyncClient mcp = McpClients.connect(app, ADMIN_KEY)) {
      McpClients.ok(McpClients.call(mcp, "list_pending_interrupts", Map.of("userId", "u")));
    }
    String limited = app.post("/api/keys", ADMIN_KEY, Map.of("name", "metrics-limited",
        "scopes", List.of("request:read"), "rateLimit", 1)).text("key");
    assertThat(app.get("/api/requests", limited).status()).isEqualTo(200);
    assertThat(app.get("/api/requests", limited).status()).isEqualTo(429);

    // A loopat loop created, and a Loop issue claimed through dispatch.
    Identities.User ann = new Identities(app).newUser("metrics-ann");
    Resp loop = new Identities(app).bearer("POST", "/api/v1/loops", ann.token(),
        Map.of("title", "metrics"));
    assertThat(loop.status()).as(loop.raw().body()).isEqualTo(201);
    DispatchFixtures queue = new DispatchFixtures(app);
    queue.issue("Count this claim", "task", 2);
    Resp claim = app.get("/api/dispatch/next", queue.key);
    assertThat(claim.status()).as(claim.raw().body()).isEqualTo(200);

    Scrape after = Scrape.of(app);
    Map<String, Double> moved = new LinkedHashMap<>();
    Map<String, Double> expected = new LinkedHashMap<>();
    expect(expected, moved, before, after, 6, "interlock_interrupts_creations_total", "dialect", "loopin");
    expect(expected, moved, before, after, 2, "interlock_interrupts_creations_total", "dialect", "agentgate");
    expect(expected, moved, before, after, 3, "interlock_interrupts_decided_total",
        "dialect", "loopin", "outcome", "approved");
    expect(expected, moved, before, after, 1, "interlock_interrupts_decided_total",
        "dialect", "loopin", "outcome", "rejected");
    expect(expected, moved, before, after, 2, "interlock_interrupts_decided_total",
        "dialect", "agentgate", "outcome", "approved");
    expect(expected, moved, before, after, 1, "interlock_interrupts_expired_total", "dialect", "loopin");
    expect(expected, moved, before, after, 1, "interlock_interrupts_cancelled_total", "dialect", "loopin");
    expect(expected, moved, before, after, 1, "interlock_policy_decisions_total", "outcome", "approved");
    expect(expected, moved, before, after, 4, "interlock_decision_latency_seconds_count", "dialect", "loopin");
    expect(expected, moved, before, after, 2, "interlock_decision_latency_seconds_count", "dialect", "agentgate");
    // Every decision was taken within a minute of its creation: all of them in that bucket.
    expect(expected, moved, before, after, 6, "interlock_decision_latency_seconds_bucket", "le", "60.0");
    expect(expected, moved, before, after, 1, "interlock_wake_latency_seconds_count", "waiter", "long_poll");
    expect(expected, moved, before, after, 1, "interlock_wake_latency_seconds_count", "waiter", "sse");
    expect(expected, moved, before, after, 1, "interlock_callback_attempts_total",
        "result", "delivered", "attempt", "1");
    expect(expected, moved, before, after, 1, "interlock_webhook_attempts_total",
        "result", "delivered", "attempt", "1");
    expect(expected, moved, before, after, 0, "interlock_callback_attempts_total", "result", "failed");
    expect(expected, moved, before, after, 1, "interlock_mcp_tool_calls_total",
        "tool", "list_pending_interrupts", "result", "ok");
    expect(expected, moved, before, after, 1, "interlock_rate_limited_total", "limit", "api_key");
    expect(expected, moved, before, after, 1, "interlock_loops_creations_total");
    expect(expected, moved, before, after, 1, "interlock_dispatch_claims_total");
    assertThat(moved).isEqualTo(expected);
    assertThat(after.value("interlock_waiters_open", "kind", "long_poll")).isZero();
    assertThat(after.value("interlock_waiters_open", "kind", "sse")).isZero();

    // The pending gauge is the store's count (cached for a few seconds).
    long pending = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from interrupts where status = 'pending'").mapTo(Long.class).one());
    assertThat(eventually(Duration.ofSeconds(10),
        () -> Scrape.of(app).value("interlock_interrupts_pending") == pending))
        .as("pending gauge %s, store %s", Scrape.of(app).value("interlock_interrupts_pending"),
            pending).isTrue();

    // After this workload every metric the Grafana dashboard queries is in the scrape.
    Set<String> used = dashboardMetrics();
    assertThat(used).contains("interlock_interrupts_creations_total",
        "temporal_workflow_task_schedule_to_start_latency_seconds_bucket", "jvm_memory_heap_used");
    Set<String> missing = new TreeSet<>(used);
    assertThat(eventually(Duration.ofSeconds(15), () -> {
      missing.retainAll(used);
      missing.removeAll(Scrape.of(app).names());
      return missing.isEmpty();
    })).as("metrics docs/grafana/interlock.json queries that no scrape has: %s", missing)
        .isTrue();
  }

  /** The metric names in the expressions of docs/grafana/interlock.json's panels. */
  static Set<String> dashboardMetrics() throws Exception {
    JsonNode dashboard = TestApp.JSON.readTree(
        Path.of("..", "docs", "grafana", "interlock.json").toFile());
    Set<String> names = new TreeSet<>();
    Pattern metric = Pattern.compile("\\b(?:interlock|temporal|jvm|io_dropwizard|org_eclipse)_[a-zA-Z0-9_:]*");
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
      for (JsonNode target : panel.path("targets")) {
        Matcher m = metric.matcher(target.path("expr").asText());
        boolean any = false;
        while (m.find()) {
          names.add(m.group());
          any = true;
        }
        assertThat(any).as("a metric in %s", target.path("expr").asText()).isTrue();
      }
    }
    return names;
  }

  @Test
  void givenARunningServer_thenTemporalJvmJettyAndPoolMetricsAreInTheSameScrape() {
    // The SDK reports every second; its workers poll from the start.
    assertThat(eventually(Duration.ofSeconds(15),
        () -> Scrape.of(app).has("temporal_request_total"))).isTrue();
    decideLoopin(createLoopin("Temporal metrics"), "approved");
    assertThat(eventually(Duration.ofSeconds(15), () -> Scrape.of(app)
        .has("temporal_workflow_task_execution_latency_seconds_bucket"))).isTrue();
    Scrape scrape = Scrape.of(app);
    assertThat(scrape.names()).contains(
        "temporal_workflow_task_schedule_to_start_latency_seconds_bucket",
        "temporal_num_pollers",
        "jvm_memory_heap_used");
    assertThat(scrape.names()).anyMatch(n -> n.startsWith("io_dropwizard_jetty_"));
    assertThat(scrape.names()).anyMatch(n -> n.contains("postgresql") && n.contains("active"));
    // No label carries an id: no label value looks like a UUID.
    assertThat(scrape.text()).doesNotContainPattern(
        "=\"[^\"]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  private static String createLoopin(String action) {
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("u", action));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    return created.text("interruptId");
  }

  private static void decideLoopin(String id, String decision) {
    Resp decided = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", decision));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);
  }

  private static void expect(Map<String, Double> expected, Map<String, Double> moved,
      Scrape before, Scrape after, double delta, String name, String... labels) {
    String key = name + List.of(labels);
    expected.put(key, delta);
    moved.put(key, after.value(name, labels) - before.value(name, labels));
  }

  /** One scrape, parsed: series name, labels and value per line. */
  record Scrape(String text, List<Sample> samples) {

    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape of(TestApp app) {
      try {
        HttpResponse<String> r = app.http().send(HttpRequest.newBuilder(
            URI.create(app.adminBase() + "/metrics/prometheus")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
            .startsWith("text/plain; version=0.0.4");
        return parse(r.body());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static Scrape parse(String text) {
      List<Sample> samples = new java.util.ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
          throw new AssertionError("not a sample line: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
      }
      return new Scrape(text, samples);
    }

    boolean has(String name) {
      return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    java.util.Set<String> names() {
      return samples.stream().map(Sample::name)
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The sum over the series of {@code name} that carry these labels (0 when none do). */
    double value(String name, String... labels) {
      double sum = 0;
      for (Sample s : samples) {
        if (!s.name().equals(name)) {
          continue;
        }
        boolean matches = true;
        for (int i = 0; i + 1 < labels.length; i += 2) {
          matches &= labels[i + 1].equals(s.labels().get(labels[i]));
        }
        if (matches) {
          sum += s.value();
        }
      }
      return sum;
    }
  }
}
