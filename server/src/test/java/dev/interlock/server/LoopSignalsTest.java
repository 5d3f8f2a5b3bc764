package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's signals end to end: {@code POST /api/signals} (a signal and its triage issue in one
 * transaction) and the provider webhooks of GitHub, Sentry and PostHog (verified before
 * anything is stored, redeliveries stored once, 503 when a provider is not configured).
 */
class LoopSignalsTest {

  static final String GITHUB_SECRET = "gh-secret-" + UUID.randomUUID();
  static final String SENTRY_SECRET = "sentry-secret-" + UUID.randomUUID();
  static final String POSTHOG_SECRET = "posthog-secret-" + UUID.randomUUID();

  @TempDir static Path data;
  @TempDir static Path bareData;
  /** With every provider's secret configured. */
  static TestApp app;
  /** With no provider configured. */
  static TestApp bare;

  @BeforeAll
  static void start() {
    // Dropwizard's test support passes overrides as system properties that stay set while
    // its app runs: the app without secrets starts first, so it cannot see the other's.
    bare = new TestApp(bareData).start();
    app = new TestApp(data,
        ConfigOverride.config("engine.githubWebhookSecret", GITHUB_SECRET),
        // Spaces around a secret in the environment are not part of it.
        ConfigOverride.config("engine.sentryClientSecret", " " + SENTRY_SECRET + " "),
        ConfigOverride.config("engine.posthogWebhookSecret", POSTHOG_SECRET)).start();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (bare != null) {
      bare.close();
    }
  }

  // ---- POST /api/signals -------------------------------------------------------------------

  private static Map<String, Object> signal(String severity, Map<String, Object> payload) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", "posthog");
    body.put("sourceId", "evt_" + UUID.randomUUID());
    body.put("type", "error_rate");
    body.put("severity", severity);
    body.put("payload", payload);
    return body;
  }

  @Test
  void givenEachSeverity_whenASignalIsPosted_thenItAndATriageIssueAreStoredWithTheMappedPriority() {
    String key = app.keyFor("sig-" + UUID.randomUUID(), Set.of("loop:read", "loop:write"));
    Map<String, Integer> expected = Map.of("critical", 1, "high", 2, "medium", 3, "low", 4);
    int number = 0;
    for (String severity : List.of("critical", "high", "medium", "low")) {
      Resp r = app.post("/api/signals", key,
          signal(severity, Map.of("message", "Login failures spiked", "value", 0.22)));
      assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
      JsonNode s = r.body().path("data").path("signal");
      JsonNode i = r.body().path("data").path("issue");
      assertThat(s.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "source",
          "sourceId", "type", "severity", "payload", "issueId", "createdAt");
      assertThat(s.path("id").asText()).startsWith("sig_");
      assertThat(s.path("severity").asText()).isEqualTo(severity);
      assertThat(s.path("payload").path("value").asDouble()).isEqualTo(0.22);
      assertThat(s.path("issueId").asText()).isEqualTo(i.path("id").asText());
      assertThat(i.path("id").asText()).startsWith("iss_");
      assertThat(i.path("number").asInt()).isEqualTo(++number);
      assertThat(i.path("type").asText()).isEqualTo("signal");
      assertThat(i.path("status").asText()).isEqualTo("triage");
      assertThat(i.path("priority").asInt()).as(severity).isEqualTo(expected.get(severity));
      assertThat(i.path("title").asText())
          .isEqualTo("[posthog] error_rate: Login failures spiked");
      assertThat(i.path("signalSource").asText()).isEqualTo("posthog");
      assertThat(i.path("signalPayload").path("message").asText())
          .isEqualTo("Login failures spiked");
      assertThat(i.has("description") && i.path("description").isNull()).isTrue();
      // Both rows are there, linked.
      long linked = app.jdbi().withHandle(h -> h.createQuery(
          "select count(*) from engine_signals s join engine_issues i on i.id = s.issue_id"
              + " where s.id = :id and i.priority = :p").bind("id", s.path("id").asText())
          .bind("p", expected.get(severity)).mapTo(long.class).one());
      assertThat(linked).isEqualTo(1);
    }
  }

  @Test
  void givenPayloadsWithAndWithoutASummary_whenPosted_thenTheTitleFollowsLoopsRule() {
    String key = app.keyFor("sig-" + UUID.randomUUID(), Set.of("loop:write"));
    assertThat(title(key, Map.of("title", "Checkout slow", "n", 1)))
        .isEqualTo("[posthog] error_rate: Checkout slow");
    assertThat(title(key, Map.of("message", "Preferred", "title", "Not this")))
        .isEqualTo("[posthog] error_rate: Preferred");
    assertThat(title(key, Map.of("message", 42))).isEqualTo("[posthog] error_rate: error_rate");
    assertThat(title(key, Map.of())).isEqualTo("[posthog] error_rate: error_rate");
    String longTitle = title(key, Map.of("message", "x".repeat(1000)));
    assertThat(longTitle).hasSize(300).endsWith("…");
  }

  private static String title(String key, Map<String, Object> payload) {
    Resp r = app.post("/api/signals", key, signal("low", payload));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body().path("data").path("issue").path("title").asText();
  }

  @Test
  void givenInvalidFields_whenPosted_then422AndNothingIsStored() {
    String owner = "sig-" + UUID.randomUUID();
    String key = app.keyFor(owner, Set.of("loop:write"));
    Map<String, Object> noSource = signal("low", Map.of());
    noSource.remove("source");
    Map<String, Object> blankType = signal("low", Map.of());
    blankType.put("type", " ");
    Map<String, Object> noPayload = signal("low", Map.of());
    noPayload.remove("payload");
    Map<String, Object> listPayload = signal("low", Map.of());
    listPayload.put("payload", List.of(1, 2));
    Map<String, Object> numberSource = signal("low", Map.of());
    numberSource.put("source", 7);
    Map<String, Object> longType = signal("low", Map.of());
    longType.put("type", "t".repeat(101));
    Map<Map<String, Object>, String> cases = new LinkedHashMap<>();
    cases.put(noSource, "source is required");
    cases.put(blankType, "type is required");
    cases.put(signal("urgent", Map.of()), "severity must be one of low, medium, high, critical");
    cases.put(noPayload, "payload is required");
    cases.put(listPayload, "payload must be a JSON object");
    cases.put(numberSource, "source must be a string");
    cases.put(longType, "type must be at most 100 characters");
    cases.forEach((body, message) -> {
      Resp r = app.post("/api/signals", key, body);
      assertThat(r.status()).as(message).isEqualTo(422);
      assertThat(r.body().path("error").asText()).isEqualTo(message);
    });
    Resp malformed = app.post("/api/signals", key, "{not json");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().path("error").isTextual()).isTrue();
    assertThat(countFor(owner, "engine_signals")).isZero();
    assertThat(countFor(owner, "engine_issues")).isZero();
  }

  @Test
  void givenAnUnknownProject_whenPosted_then404AndNeitherSignalNorIssueIsStored() {
    String owner = "sig-" + UUID.randomUUID();
    String key = app.keyFor(owner, Set.of("loop:write"));
    // A project of another workspace is as unknown as one that does not exist.
    String elsewhere = "proj_" + UUID.randomUUID();
    app.jdbi().useHandle(h -> h.execute(
        "insert into engine_projects (id, owner_id, name) values (?, 'someone-else', 'P')",
        elsewhere));
    for (String project : List.of(elsewhere, "proj_nope")) {
      Map<String, Object> body = signal("high", Map.of());
      body.put("projectId", project);
      Resp r = app.post("/api/signals", key, body);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body().path("error").asText()).isEqualTo("Project not found");
    }
    assertThat(countFor(owner, "engine_signals")).isZero();
    assertThat(countFor(owner, "engine_issues")).isZero();

    String mine = "proj_" + UUID.randomUUID();
    app.jdbi().useHandle(h -> h.execute(
        "insert into engine_projects (id, owner_id, name) values (?, ?, 'Mine')", mine, owner));
    Map<String, Object> body = signal("high", Map.of());
    body.put("projectId", mine);
    Resp ok = app.post("/api/signals", key, body);
    assertThat(ok.status()).isEqualTo(201);
    assertThat(ok.body().path("data").path("issue").path("projectId").asText()).isEqualTo(mine);
  }

  @Test
  void givenNoKeyOrAKeyWithoutLoopWrite_whenASignalIsPosted_then401Or403() {
    Resp none = app.post("/api/signals", null, signal("low", Map.of()));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("error").isTextual()).isTrue();
    String reader = app.keyFor("sig-" + UUID.randomUUID(), Set.of("loop:read"));
    assertThat(app.post("/api/signals", reader, signal("low", Map.of())).status())
        .isEqualTo(403);
    // The admin key may write, into its own workspace.
    assertThat(app.post("/api/signals", ADMIN_KEY, signal("low", Map.of())).status())
        .isEqualTo(201);
  }

  // ---- GitHub ------------------------------------------------------------------------------

  static String hmacHex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Resp deliver(TestApp on, String provider, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = on.builder("/api/signals/" + provider, null);
    if (!headers.containsKey("Content-Type")) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return on.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  static byte[] githubEvent(String repo) {
    return ("{\"action\":\"opened\",\n  \"repository\": {\"full_name\": \"" + repo + "\"},"
        + "  \"sender\":{\"login\":\"octocat\"}}").getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, String> github(String event, String delivery, byte[] body) {
    return Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", "sha256=" + hmacHex(GITHUB_SECRET, body));
  }

  @Test
  void givenAGoodGithubSignature_whenDelivered_thenASignalWithTheEventsSeverityIsStored() {
    String repo = "acme/" + UUID.randomUUID();
    byte[] body = githubEvent(repo);
    Resp r = deliver(app, "github", body, github("pull_request", UUID.randomUUID().toString(),
        body));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    assertThat(r.body().path("redelivered").asBoolean()).isFalse();
    JsonNode s = r.body().path("data").path("signal");
    JsonNode i = r.body().path("data").path("issue");
    assertThat(s.path("source").asText()).isEqualTo("github");
    assertThat(s.path("type").asText()).isEqualTo("pull_request");
    assertThat(s.path("sourceId").asText()).isEqualTo("pull_request.opened");
    assertThat(s.path("severity").asText()).isEqualTo("low");
    assertThat(s.path("payload").path("repository").path("full_name").asText()).isEqualTo(repo);
    assertThat(i.path("title").asText())
        .isEqualTo("GitHub: pull_request opened on " + repo + " by octocat");
    assertThat(i.path("priority").asInt()).isEqualTo(4);
    assertThat(i.path("type").asText()).isEqualTo("signal");
    assertThat(i.path("status").asText()).isEqualTo("triage");
    // In the webhook workspace (admin by default).
    assertThat(ownerOfSignal(s.path("id").asText())).isEqualTo("admin");

    Map<String, String> severities = Map.of("security_advisory", "critical",
        "code_scanning_alert", "critical", "dependabot_alert", "high", "issues", "medium",
        "push", "low", "issue_comment", "low", "deployment", "medium");
    severities.forEach((event, severity) -> {
      Resp e = deliver(app, "github", body, github(event, UUID.randomUUID().toString(), body));
      assertThat(e.status()).isEqualTo(200);
      assertThat(e.body().path("data").path("signal").path("severity").asText()).as(event)
          .isEqualTo(severity);
    });
  }

  @Test
  void givenAMissingOrWrongGithubSignature_whenDelivered_then401AndNothingIsStored() {
    String repo = "acme/" + UUID.randomUUID();
    byte[] body = githubEvent(repo);
    String delivery = UUID.randomUUID().toString();
    Resp missing = deliver(app, "github", body,
        Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", delivery));
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().path("error").asText()).isEqualTo("Missing X-Hub-Signature-256 header");

    List<String> wrong = List.of(
        "sha256=" + hmacHex("not-the-secret", body),
        hmacHex(GITHUB_SECRET, body), // no "sha256=" prefix
        "sha256=" + hmacHex(GITHUB_SECRET, githubEvent("acme/other")), // another body
        "sha1=" + hmacHex(GITHUB_SECRET, body),
        "sha256=");
    for (String signature : wrong) {
      Resp r = deliver(app, "github", body, Map.of("X-GitHub-Event", "push",
          "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", signature));
      assertThat(r.status()).as(signature).isEqualTo(401);
      assertThat(r.body().path("error").asText()).isEqualTo("Invalid webhook signature");
    }
    assertThat(signalsOfRepo(repo)).isZero();
    long stored = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_signals where delivery_key = :k").bind("k", delivery)
        .mapTo(long.class).one());
    assertThat(stored).isZero();
  }

  @Test
  void givenTheRawBody_whenItIsSignedAsSent_thenOnlyThoseBytesVerify() {
    // Unusual spacing and key order: a server that re-serialized the JSON would compute
    // another HMAC and refuse a genuine delivery.
    String repo = "acme/" + UUID.randomUUID();
    byte[] spaced = ("{ \"sender\" : {\"login\":\"hubot\"} ,\n\t\"repository\":{ \"full_name\":\""
        + repo + "\" } }").getBytes(StandardCharsets.UTF_8);
    Resp r = deliver(app, "github", spaced, github("push", UUID.randomUUID().toString(), spaced));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    assertThat(r.body().path("data").path("issue").path("title").asText())
        .isEqualTo("GitHub: push on " + repo + " by hubot");
    byte[] compact = ("{\"sender\":{\"login\":\"hubot\"},\"repository\":{\"full_name\":\""
        + repo + "\"}}").getBytes(StandardCharsets.UTF_8);
    Map<String, String> signedCompact = new LinkedHashMap<>(
        github("push", UUID.randomUUID().toString(), compact));
    assertThat(deliver(app, "github", spaced, signedCompact).status()).isEqualTo(401);
  }

  @Test
  void givenGithubsFormContentType_whenDelivered_thenThePayloadFieldIsTheEvent() {
    String repo = "acme/" + UUID.randomUUID();
    byte[] form = ("payload=" + URLEncoder.encode(new String(githubEvent(repo),
        StandardCharsets.UTF_8), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>(
        github("issues", UUID.randomUUID().toString(), form));
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    Resp r = deliver(app, "github", form, headers);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    assertThat(r.body().path("data").path("signal").path("severity").asText())
        .isEqualTo("medium");
    assertThat(r.body().path("data").path("issue").path("title").asText())
        .isEqualTo("GitHub: issues opened on " + repo + " by octocat");
  }

  @Test
  void givenTheSameGithubDeliveryTwice_whenDelivered_thenBothAre200AndOneSignalIsStored() {
    String repo = "acme/" + UUID.randomUUID();
    byte[] body = githubEvent(repo);
    String delivery = UUID.randomUUID().toString();
    Resp first = deliver(app, "github", body, github("issues", delivery, body));
    Resp again = deliver(app, "github", body, github("issues", delivery, body));
    assertThat(first.status()).isEqualTo(200);
    assertThat(again.status()).isEqualTo(200);
    assertThat(first.body().path("redelivered").asBoolean()).isFalse();
    assertThat(again.body().path("redelivered").asBoolean()).isTrue();
    assertThat(again.body().path("data").path("signal").path("id").asText())
        .isEqualTo(first.body().path("data").path("signal").path("id").asText());
    assertThat(again.body().path("data").path("issue").path("id").asText())
        .isEqualTo(first.body().path("data").path("issue").path("id").asText());
    assertThat(signalsOfRepo(repo)).isEqualTo(1);
    assertThat(issuesOfRepo(repo)).isEqualTo(1);
    // Another delivery of the same event (a new delivery id) is a new signal.
    Resp other = deliver(app, "github", body, github("issues", UUID.randomUUID().toString(),
        body));
    assertThat(other.body().path("redelivered").asBoolean()).isFalse();
    assertThat(signalsOfRepo(repo)).isEqualTo(2);
  }

  @Test
  void givenOneDeliverySentConcurrently_whenDelivered_thenAllAre2xxAndExactlyOneSignalAndIssue()
      throws Exception {
    String repo = "acme/" + UUID.randomUUID();
    byte[] body = githubEvent(repo);
    String delivery = UUID.randomUUID().toString();
    int callers = 12;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Resp>> sent = new ArrayList<>();
      for (int n = 0; n < callers; n++) {
        sent.add(pool.submit(() -> {
          go.await();
          return deliver(app, "github", body, github("dependabot_alert", delivery, body));
        }));
      }
      go.countDown();
      List<String> signalIds = new ArrayList<>();
      int fresh = 0;
      for (Future<Resp> f : sent) {
        Resp r = f.get();
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        signalIds.add(r.body().path("data").path("signal").path("id").asText());
        fresh += r.body().path("redelivered").asBoolean() ? 0 : 1;
      }
      assertThat(fresh).isEqualTo(1);
      assertThat(signalIds).hasSize(callers).allMatch(id -> id.equals(signalIds.get(0)));
    } finally {
      pool.shutdownNow();
    }
    assertThat(signalsOfRepo(repo)).isEqualTo(1);
    // The losers' issues were rolled back with their transactions.
    assertThat(issuesOfRepo(repo)).isEqualTo(1);
  }

  // ---- Sentry ------------------------------------------------------------------------------

  static byte[] sentryIssue(String title, String level, Object count, String issueId) {
    String c = count instanceof String s ? "\"" + s + "\"" : String.valueOf(count);
    return ("{\"action\":\"created\",\"data\":{\"issue\":{\"id\":\"" + issueId + "\",\"title\":\""
        + title + "\",\"level\":\"" + level + "\",\"count\":" + c + "}}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, String> sentry(byte[] body, String requestId) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Sentry-Hook-Resource", "issue");
    h.put("Sentry-Hook-Signature", hmacHex(SENTRY_SECRET, body));
    if (requestId != null) {
      h.put("Request-ID", requestId);
    }
    return h;
  }

  @Test
  void givenAGoodSentrySignature_whenDelivered_thenSeverityFollowsLevelAndCount() {
    record Case(String level, Object count, String severity, int priority) {}
    List<Case> cases = List.of(new Case("fatal", 1, "critical", 1),
        new Case("error", 150, "critical", 1), new Case("error", "99", "high", 2),
        new Case("warning", 5, "medium", 3), new Case("info", 1, "low", 4));
    for (Case c : cases) {
      String title = "TypeError " + UUID.randomUUID();
      byte[] body = sentryIssue(title, c.level(), c.count(), "4711");
      Resp r = deliver(app, "sentry", body, sentry(body, UUID.randomUUID().toString()));
      assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
      JsonNode s = r.body().path("data").path("signal");
      assertThat(s.path("severity").asText()).as(c.toString()).isEqualTo(c.severity());
      assertThat(s.path("source").asText()).isEqualTo("sentry");
      assertThat(s.path("type").asText()).isEqualTo("created");
      assertThat(s.path("sourceId").asText()).isEqualTo("4711");
      JsonNode i = r.body().path("data").path("issue");
      assertThat(i.path("priority").asInt()).isEqualTo(c.priority());
      assertThat(i.path("title").asText()).isEqualTo("Sentry: " + title + " ("
          + c.count() + (String.valueOf(c.count()).equals("1") ? " event)" : " events)"));
    }
    // A metric alert: its action rates it.
    byte[] metric = ("{\"action\":\"critical\",\"data\":{\"description_title\":\"p95 latency "
        + "above 2s\",\"metric_alert\":{\"id\":\"77\"}}}").getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = sentry(metric, UUID.randomUUID().toString());
    headers.put("Sentry-Hook-Resource", "metric_alert");
    Resp m = deliver(app, "sentry", metric, headers);
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.body().path("data").path("signal").path("severity").asText())
        .isEqualTo("critical");
    assertThat(m.body().path("data").path("issue").path("title").asText())
        .isEqualTo("Sentry: p95 latency above 2s (critical)");
  }

  @Test
  void givenAMissingOrWrongSentrySignature_whenDelivered_then401AndNothingIsStored() {
    String title = "Boom " + UUID.randomUUID();
    byte[] body = sentryIssue(title, "error", 1, "1");
    Map<String, String> none = sentry(body, null);
    none.remove("Sentry-Hook-Signature");
    Resp missing = deliver(app, "sentry", body, none);
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().path("error").asText())
        .isEqualTo("Missing Sentry-Hook-Signature header");
    for (String signature : List.of(hmacHex(GITHUB_SECRET, body),
        "sha256=" + hmacHex(SENTRY_SECRET, body), "00")) {
      Map<String, String> h = sentry(body, null);
      h.put("Sentry-Hook-Signature", signature);
      assertThat(deliver(app, "sentry", body, h).status()).as(signature).isEqualTo(401);
    }
    assertThat(titled("Sentry: " + title + " (1 event)")).isZero();
  }

  @Test
  void givenASentryRedelivery_whenDeliveredAgain_thenIgnoredByRequestIdOrElseByBody() {
    String title = "Again " + UUID.randomUUID();
    byte[] body = sentryIssue(title, "error", 3, "9");
    String requestId = UUID.randomUUID().toString();
    assertThat(deliver(app, "sentry", body, sentry(body, requestId)).body()
        .path("redelivered").asBoolean()).isFalse();
    Resp again = deliver(app, "sentry", body, sentry(body, requestId));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("redelivered").asBoolean()).isTrue();
    assertThat(titled("Sentry: " + title + " (3 events)")).isEqualTo(1);

    // Without a Request-ID, the same body is the same delivery.
    String other = "Unnamed " + UUID.randomUUID();
    byte[] unnamed = sentryIssue(other, "warning", 2, "10");
    assertThat(deliver(app, "sentry", unnamed, sentry(unnamed, null)).status()).isEqualTo(200);
    Resp twice = deliver(app, "sentry", unnamed, sentry(unnamed, null));
    assertThat(twice.status()).isEqualTo(200);
    assertThat(twice.body().path("redelivered").asBoolean()).isTrue();
    assertThat(titled("Sentry: " + other + " (2 events)")).isEqualTo(1);
  }

  // ---- PostHog -----------------------------------------------------------------------------

  static byte[] posthogAlert(String metric, Object value) {
    return ("{\"event\":{\"name\":\"" + metric + "\"},\"value\":" + value
        + ",\"timeframe\":\"last_7_days\"}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void givenPosthogsSecretInEitherHeader_whenDelivered_thenTheChangeDecidesTheSeverity() {
    record Case(Object value, String severity, Map<String, String> headers) {}
    List<Case> cases = List.of(
        new Case(-55, "critical", Map.of("X-PostHog-Secret", POSTHOG_SECRET)),
        new Case(35, "high", Map.of("Authorization", "Bearer " + POSTHOG_SECRET)),
        new Case(12.5, "medium", Map.of("Authorization", POSTHOG_SECRET)),
        new Case(3, "low", Map.of("X-PostHog-Secret", POSTHOG_SECRET,
            "Authorization", "Bearer something-for-a-proxy")));
    for (Case c : cases) {
      String metric = "page_load_" + UUID.randomUUID().toString().substring(0, 8);
      Resp r = deliver(app, "posthog", posthogAlert(metric, c.value()), c.headers());
      assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
      JsonNode s = r.body().path("data").path("signal");
      assertThat(s.path("severity").asText()).as(c.toString()).isEqualTo(c.severity());
      assertThat(s.path("type").asText()).isEqualTo("metric_change");
      assertThat(s.path("source").asText()).isEqualTo("posthog");
      assertThat(r.body().path("data").path("issue").path("title").asText())
          .isEqualTo("PostHog: " + metric + " " + c.value() + "% (last_7_days)");
    }
  }

  @Test
  void givenAMissingOrWrongPosthogSecret_whenDelivered_then401AndNothingIsStored() {
    String metric = "m_" + UUID.randomUUID();
    byte[] body = posthogAlert(metric, 20);
    Resp missing = deliver(app, "posthog", body, Map.of());
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().path("error").asText())
        .isEqualTo("Missing X-PostHog-Secret (or Authorization) header");
    for (Map<String, String> h : List.of(Map.of("X-PostHog-Secret", POSTHOG_SECRET + "x"),
        Map.of("X-PostHog-Secret", POSTHOG_SECRET.substring(1)),
        Map.of("Authorization", "Bearer " + GITHUB_SECRET),
        // A signature is not the secret.
        Map.of("X-PostHog-Secret", hmacHex(POSTHOG_SECRET, body)))) {
      Resp r = deliver(app, "posthog", body, h);
      assertThat(r.status()).as(h.toString()).isEqualTo(401);
      assertThat(r.body().path("error").asText()).isEqualTo("Invalid webhook secret");
    }
    assertThat(titled("PostHog: " + metric + " 20% (last_7_days)")).isZero();
  }

  @Test
  void givenTheSamePosthogBodyTwice_whenDelivered_thenTheSecondIsIgnoredWith200() {
    String metric = "m_" + UUID.randomUUID();
    byte[] body = posthogAlert(metric, 60);
    Map<String, String> h = Map.of("X-PostHog-Secret", POSTHOG_SECRET);
    Resp first = deliver(app, "posthog", body, h);
    Resp second = deliver(app, "posthog", body, h);
    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body().path("redelivered").asBoolean()).isTrue();
    assertThat(titled("PostHog: " + metric + " 60% (last_7_days)")).isEqualTo(1);
  }

  @Test
  void givenAVerifiedBodyThatIsNoJsonObject_whenDelivered_then400AndNothingIsStored() {
    byte[] array = "[1, 2]".getBytes(StandardCharsets.UTF_8);
    Resp r = deliver(app, "posthog", array, Map.of("X-PostHog-Secret", POSTHOG_SECRET));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("error").asText()).isEqualTo("Request body must be a JSON object");
    byte[] broken = "{\"a\":".getBytes(StandardCharsets.UTF_8);
    Resp s = deliver(app, "sentry", broken, sentry(broken, null));
    assertThat(s.status()).isEqualTo(400);
    // Larger than the server's body limit (1 MiB in tests): refused before it is parsed.
    byte[] huge = ("{\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    Resp big = deliver(app, "github", huge, github("push", UUID.randomUUID().toString(), huge));
    assertThat(big.status()).isEqualTo(400);
    assertThat(big.body().path("error").asText()).startsWith("Request body exceeds");
  }

  // ---- not configured ----------------------------------------------------------------------

  @Test
  void givenAWebhookWorkspaceThatDoesNotExist_whenGithubDelivers_then503UntilItExists(
      @TempDir Path nowhereData) {
    try (TestApp nowhere = new TestApp(nowhereData,
        ConfigOverride.config("engine.githubWebhookSecret", GITHUB_SECRET),
        ConfigOverride.config("engine.webhookWorkspace", "ws-nowhere")).start()) {
      byte[] body = githubEvent("acme/nowhere");
      Resp refused = deliver(nowhere, "github", body, github("push", "d-nowhere", body));
      assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
      assertThat(refused.body().path("error").asText()).contains("LOOP_WEBHOOK_WORKSPACE")
          .contains("does not exist");
      long stored = nowhere.jdbi().withHandle(h -> h.createQuery(
          "select count(*) from engine_signals").mapTo(long.class).one());
      assertThat(stored).isZero();
      // A bad signature is still 401 first: nothing about the server's setup is told.
      Resp forged = deliver(nowhere, "github", body, github("push", "d-x", "x".getBytes()));
      assertThat(forged.status()).isEqualTo(401);
      // Once the workspace exists, the redelivery is filed there.
      nowhere.jdbi().useHandle(h -> h.execute(
          "insert into workspaces (id, name) values ('ws-nowhere', 'Nowhere')"));
      Resp filed = deliver(nowhere, "github", body, github("push", "d-nowhere", body));
      assertThat(filed.status()).as(filed.raw().body()).isEqualTo(200);
      java.util.List<String> owners = nowhere.jdbi().withHandle(h -> h.createQuery(
          "select owner_id from engine_signals").mapTo(String.class).list());
      assertThat(owners).containsExactly("ws-nowhere");
    }
  }


  @Test
  void givenNoSecretConfigured_whenAnyProviderDelivers_then503NamingTheSettingAndNothingStored() {
    assertThat(bare.configuration().engine.githubWebhookSecret).isEmpty();
    assertThat(bare.configuration().engine.sentryClientSecret).isEmpty();
    assertThat(bare.configuration().engine.posthogWebhookSecret).isEmpty();
    byte[] body = githubEvent("acme/unconfigured");
    Map<String, String> envVars = Map.of("github", "LOOP_GITHUB_WEBHOOK_SECRET",
        "sentry", "LOOP_SENTRY_CLIENT_SECRET", "posthog", "LOOP_POSTHOG_WEBHOOK_SECRET");
    envVars.forEach((provider, envVar) -> {
      // Even a delivery signed with what a configured server would accept.
      Map<String, String> headers = new LinkedHashMap<>(github("push", "d-1", body));
      headers.putAll(sentry(body, null));
      headers.put("X-PostHog-Secret", POSTHOG_SECRET);
      Resp r = deliver(bare, provider, body, headers);
      assertThat(r.status()).as(provider).isEqualTo(503);
      assertThat(r.body().path("error").asText()).as(provider)
          .contains("not configured").contains(envVar);
    });
    long stored = bare.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_signals").mapTo(long.class).one());
    assertThat(stored).isZero();
    // The generic endpoint needs no provider secret.
    assertThat(bare.post("/api/signals", ADMIN_KEY, signal("low", Map.of())).status())
        .isEqualTo(201);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static long countFor(String owner, String table) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from " + table + " where owner_id = :o").bind("o", owner)
        .mapTo(long.class).one());
  }

  private static String ownerOfSignal(String id) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select owner_id from engine_signals where id = :id").bind("id", id)
        .mapTo(String.class).one());
  }

  private static long signalsOfRepo(String repo) {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from engine_signals"
        + " where payload -> 'repository' ->> 'full_name' = :r").bind("r", repo)
        .mapTo(long.class).one());
  }

  private static long issuesOfRepo(String repo) {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from engine_issues"
        + " where signal_payload -> 'repository' ->> 'full_name' = :r").bind("r", repo)
        .mapTo(long.class).one());
  }

  private static long titled(String title) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_issues where title = :t").bind("t", title)
        .mapTo(long.class).one());
  }
}
