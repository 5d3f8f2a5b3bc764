package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.service.engine.Engine;
import dev.interlock.server.service.engine.Prompt;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.store.engine.IssueDao.NewIssue;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's prompt templates over HTTP, against the real application: every operation's shape
 * and codes, versions and promotion, soft deletion, Loop's defaults per workspace, reviews with
 * their EWMA and the one improvement issue, the preview (selection in order, rendering with
 * the issue's surroundings), and that no key ever reaches a prompt. Each test works in a
 * workspace of its own.
 */
class LoopTemplatesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final AtomicInteger SEQ = new AtomicInteger();
  static final Set<String> TEMPLATE_FIELDS = Set.of("id", "slug", "name", "description",
      "conditions", "specificity", "projectId", "activeVersionId", "createdAt", "updatedAt",
      "deletedAt");
  static final Set<String> VERSION_FIELDS = Set.of("id", "templateId", "version", "content",
      "changelog", "authorType", "authorName", "status", "usageCount", "completionRate",
      "avgDurationMs", "reviewScore", "createdAt", "reviewCount", "improvementIssueId");
  static final Set<String> REVIEW_FIELDS = Set.of("id", "versionId", "issueId", "clarity",
      "completeness", "relevance", "feedback", "authorType", "createdAt");
  static final List<String> DEFAULT_SLUGS = List.of("signal-triage", "hypothesis-planning",
      "plan-decomposition", "task-execution", "monitor-check");

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- fixtures -------------------------------------------------------------------------

  /** A workspace of the test's own, with a read-write key, a read-only key and a key of none. */
  record Ws(String id, String key, String reader, String stranger) {}

  static Ws workspace() {
    String id = "ws-tpl-" + SEQ.incrementAndGet();
    return new Ws(id, app.keyFor(id, Set.of("loop:read", "loop:write")),
        app.keyFor(id, Set.of("loop:read")), app.keyFor(id, Set.of("request:read")));
  }

  static IssueRow issue(Ws ws, String type, String title, String... more) {
    Map<String, String> f = new LinkedHashMap<>();
    for (int i = 0; i + 1 < more.length; i += 2) {
      f.put(more[i], more[i + 1]);
    }
    return app.jdbi().onDemand(IssueDao.class).insert(new NewIssue("iss_" + UUID.randomUUID(),
        ws.id(), title, f.get("description"), type, f.getOrDefault("status", "todo"),
        Integer.parseInt(f.getOrDefault("priority", "2")), f.get("parentId"), f.get("projectId"),
        f.get("signalSource"), f.get("signalPayload"), f.get("hypothesis"), false));
  }

  static void sql(String sql, Object... args) {
    app.jdbi().useHandle(h -> h.execute(sql, args));
  }

  static int count(String sql, Object... args) {
    return app.jdbi().withHandle(h -> h.select(sql, args).mapTo(Integer.class).one());
  }

  static Resp patch(String path, String key, Object body) {
    try {
      return app.send(app.builder(path, key).header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static JsonNode created(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body().path("data");
  }

  static JsonNode ok(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.body();
  }

  /** A template with one (active) version of this text; returns the template. */
  static JsonNode template(Ws ws, String slug, Map<String, Object> fields, String content) {
    Map<String, Object> b = body("slug", slug, "name", "Template " + slug);
    b.putAll(fields);
    JsonNode t = created(app.post("/api/templates", ws.key(), b));
    created(app.post("/api/templates/" + t.path("id").asText() + "/versions", ws.key(),
        body("content", content, "authorType", "human", "authorName", "ann")));
    return t;
  }

  static JsonNode preview(Ws ws, String issueId) {
    return ok(app.get("/api/templates/preview/" + issueId, ws.key()));
  }

  static String chosen(Ws ws, IssueRow issue) {
    JsonNode t = preview(ws, issue.id()).path("template");
    return t.isNull() ? null : t.path("slug").asText();
  }

  static Set<String> names(JsonNode o) {
    Set<String> out = new TreeSet<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static JsonNode review(Ws ws, String versionId, String issueId, int c, int m, int r) {
    return created(app.post("/api/prompt-reviews", ws.key(), body("versionId", versionId,
        "issueId", issueId, "clarity", c, "completeness", m, "relevance", r,
        "authorType", "agent")));
  }

  static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return call.call();
        }));
      }
      start.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- Loop's defaults ------------------------------------------------------------------

  @Test
  void givenANewWorkspace_whenItListsTemplates_thenItHasLoopsFiveDefaultsOnlyOnce() {
    Ws ws = workspace();
    JsonNode list = ok(app.get("/api/templates", ws.reader()));
    assertThat(list.path("total").asInt()).isEqualTo(5);
    assertThat(list.path("data").findValuesAsText("slug")).containsExactlyElementsOf(DEFAULT_SLUGS);
    for (JsonNode t : list.path("data")) {
      assertThat(names(t)).isEqualTo(TEMPLATE_FIELDS);
      assertThat(t.path("activeVersionId").asText()).startsWith("ver_");
      assertThat(t.path("specificity").asInt()).isEqualTo(10);
      assertThat(t.path("conditions").size()).isEqualTo(1);
    }
    String triage = list.path("data").get(0).path("id").asText();
    JsonNode one = ok(app.get("/api/templates/" + triage, ws.reader())).path("data");
    assertThat(one.path("conditions").path("type").asText()).isEqualTo("signal");
    assertThat(one.path("activeVersion").path("version").asInt()).isEqualTo(1);
    assertThat(one.path("activeVersion").path("status").asText()).isEqualTo("active");
    assertThat(one.path("activeVersion").path("authorName").asText()).isEqualTo("system");
    assertThat(one.path("activeVersion").path("content").asText())
        .contains("{{issue.title}}").doesNotContain("loopToken");

    assertThat(app.delete("/api/templates/" + triage, ws.key()).status()).isEqualTo(204);
    JsonNode after = ok(app.get("/api/templates?limit=50", ws.key()));
    assertThat(after.path("total").asInt()).isEqualTo(4);
    assertThat(after.path("data").findValuesAsText("slug")).doesNotContain("signal-triage");
    // Another workspace gets its own.
    assertThat(ok(app.get("/api/templates", workspace().key())).path("total").asInt())
        .isEqualTo(5);
  }

  // ---- templates ------------------------------------------------------------------------

  @Test
  void givenATemplate_whenCreatedReadChangedAndDeleted_thenShapesAreLoopsAndDeletionIsSoft() {
    Ws ws = workspace();
    JsonNode t = created(app.post("/api/templates", ws.key(), body("slug", "checkout-bugs",
        "name", "Checkout bugs", "description", "For checkout",
        "conditions", Map.of("type", "task", "labels", List.of("checkout")),
        "specificity", 40)));
    assertThat(names(t)).isEqualTo(TEMPLATE_FIELDS);
    assertThat(t.path("id").asText()).startsWith("tpl_");
    assertThat(t.path("slug").asText()).isEqualTo("checkout-bugs");
    assertThat(t.path("conditions").path("labels").get(0).asText()).isEqualTo("checkout");
    assertThat(t.path("specificity").asInt()).isEqualTo(40);
    assertThat(t.path("activeVersionId").isNull()).isTrue();
    assertThat(t.path("deletedAt").isNull()).isTrue();
    String id = t.path("id").asText();

    JsonNode got = ok(app.get("/api/templates/" + id, ws.reader())).path("data");
    assertThat(names(got)).containsAll(TEMPLATE_FIELDS).contains("activeVersion");
    assertThat(got.path("activeVersion").isNull()).isTrue();

    JsonNode changed = ok(patch("/api/templates/" + id, ws.key(), body("name", "Checkout",
        "description", null, "conditions", Map.of("type", "signal"), "specificity", 60,
        "slug", "ignored"))).path("data");
    assertThat(changed.path("name").asText()).isEqualTo("Checkout");
    assertThat(changed.path("description").isNull()).isTrue();
    assertThat(changed.path("conditions")).hasSize(1);
    assertThat(changed.path("specificity").asInt()).isEqualTo(60);
    assertThat(changed.path("slug").asText()).isEqualTo("checkout-bugs");
    JsonNode unchanged = ok(patch("/api/templates/" + id, ws.key(), body())).path("data");
    assertThat(unchanged.path("name").asText()).isEqualTo("Checkout");

    Resp twice = app.post("/api/templates", ws.key(), body("slug", "checkout-bugs", "name", "x"));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.text("error")).isEqualTo("Template slug already exists");

    assertThat(app.delete("/api/templates/" + id, ws.key()).status()).isEqualTo(204);
    assertThat(app.get("/api/templates/" + id, ws.key()).status()).isEqualTo(404);
    assertThat(app.get("/api/templates/" + id, ws.key()).text("error"))
        .isEqualTo("Template not found");
    assertThat(patch("/api/templates/" + id, ws.key(), body("name", "x")).status())
        .isEqualTo(404);
    assertThat(app.delete("/api/templates/" + id, ws.key()).status()).isEqualTo(404);
    assertThat(app.get("/api/templates/" + id + "/versions", ws.key()).status()).isEqualTo(404);
    assertThat(ok(app.get("/api/templates?limit=200", ws.key())).path("data")
        .findValuesAsText("id")).doesNotContain(id);
    // Soft: the row is kept, marked deleted; the slug is free again.
    assertThat(count("select count(*) from engine_templates where id = ?"
        + " and deleted_at is not null", id)).isOne();
    created(app.post("/api/templates", ws.key(), body("slug", "checkout-bugs", "name", "Again")));
  }

  @Test
  void givenBadTemplateBodies_whenSent_thenCreateIs422PatchIs400AndMalformedIs400() {
    Ws ws = workspace();
    Map<Map<String, Object>, String> bad = new LinkedHashMap<>();
    bad.put(body("name", "No slug"), "slug is required");
    bad.put(body("slug", "Not A Slug", "name", "x"), "slug must be lowercase");
    bad.put(body("slug", "ok", "name", ""), "name must not be empty");
    bad.put(body("slug", "ok", "name", 5), "name must be a string");
    bad.put(body("slug", "ok", "name", "x", "specificity", 101),
        "specificity must be a whole number from 0 to 100");
    bad.put(body("slug", "ok", "name", "x", "specificity", 1.5),
        "specificity must be a whole number from 0 to 100");
    bad.put(body("slug", "ok", "name", "x", "conditions", List.of()),
        "conditions must be an object");
    bad.put(body("slug", "ok", "name", "x", "conditions", Map.of("colour", "red")),
        "conditions.colour is not a condition");
    bad.put(body("slug", "ok", "name", "x", "conditions", Map.of("type", "epic")),
        "conditions.type must be one of signal, hypothesis, plan, task, monitor");
    bad.put(body("slug", "ok", "name", "x", "conditions", Map.of("labels", "bug")),
        "conditions.labels must be an array of strings");
    bad.put(body("slug", "ok", "name", "x", "conditions", Map.of("hypothesisConfidence", 2)),
        "conditions.hypothesisConfidence must be a number from 0 to 1");
    bad.put(body("slug", "ok", "name", "x", "conditions", Map.of("hasFailedSessions", "yes")),
        "conditions.hasFailedSessions must be a boolean");
    bad.forEach((b, message) -> {
      Resp r = app.post("/api/templates", ws.key(), b);
      assertThat(r.status()).as(b.toString()).isEqualTo(422);
      assertThat(r.text("error")).as(b.toString()).startsWith(message);
    });
    assertThat(app.post("/api/templates", ws.key(), "{not json").status()).isEqualTo(400);
    assertThat(app.post("/api/templates", ws.key(), "[1]").status()).isEqualTo(400);
    Resp unknownProject = app.post("/api/templates", ws.key(),
        body("slug", "ok", "name", "x", "projectId", "proj_nowhere"));
    assertThat(unknownProject.status()).isEqualTo(404);
    assertThat(unknownProject.text("error")).isEqualTo("Project not found");

    String id = created(app.post("/api/templates", ws.key(), body("slug", "ok", "name", "x")))
        .path("id").asText();
    Resp patched = patch("/api/templates/" + id, ws.key(), body("specificity", "high"));
    assertThat(patched.status()).isEqualTo(400);
    assertThat(patched.text("error")).isEqualTo("specificity must be a whole number from 0 to 100");
    assertThat(patch("/api/templates/" + id, ws.key(), body("name", "")).status()).isEqualTo(400);
    assertThat(patch("/api/templates/" + id, ws.key(), body("projectId", "proj_nowhere"))
        .status()).isEqualTo(404);
  }

  // ---- versions and promotion -----------------------------------------------------------

  @Test
  void givenVersions_whenWrittenAndPromoted_thenOneIsActiveThePreviousRetiredAndTheTemplatePoints() {
    Ws ws = workspace();
    String id = created(app.post("/api/templates", ws.key(), body("slug", "versions",
        "name", "Versions"))).path("id").asText();
    String base = "/api/templates/" + id + "/versions";

    JsonNode v1 = created(app.post(base, ws.key(), body("content", "v1 {{issue.title}}",
        "changelog", "first", "authorType", "human", "authorName", "ann")));
    assertThat(names(v1)).isEqualTo(VERSION_FIELDS);
    assertThat(v1.path("version").asInt()).isEqualTo(1);
    assertThat(v1.path("status").asText()).isEqualTo("active");
    assertThat(v1.path("usageCount").asInt()).isZero();
    assertThat(v1.path("reviewScore").isNull()).isTrue();
    assertThat(v1.path("templateId").asText()).isEqualTo(id);
    JsonNode v2 = created(app.post(base, ws.key(), body("content", "v2",
        "authorType", "agent", "authorName", "claude")));
    assertThat(v2.path("version").asInt()).isEqualTo(2);
    assertThat(v2.path("status").asText()).isEqualTo("draft");
    assertThat(v2.path("changelog").isNull()).isTrue();
    assertThat(ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText()).isEqualTo(v1.path("id").asText());

    JsonNode list = ok(app.get(base, ws.reader()));
    assertThat(list.path("total").asInt()).isEqualTo(2);
    assertThat(list.path("data").findValuesAsText("version")).containsExactly("2", "1");
    assertThat(ok(app.get(base + "?limit=1&offset=1", ws.reader())).path("data")
        .findValuesAsText("version")).containsExactly("1");

    String v2id = v2.path("id").asText();
    JsonNode promoted = ok(app.post(base + "/" + v2id + "/promote", ws.key(), "")).path("data");
    assertThat(names(promoted)).isEqualTo(VERSION_FIELDS);
    assertThat(promoted.path("status").asText()).isEqualTo("active");
    JsonNode afterPromote = ok(app.get(base, ws.key())).path("data");
    assertThat(afterPromote.findValuesAsText("status")).containsExactly("active", "retired");
    JsonNode t = ok(app.get("/api/templates/" + id, ws.key())).path("data");
    assertThat(t.path("activeVersionId").asText()).isEqualTo(v2id);
    assertThat(t.path("activeVersion").path("id").asText()).isEqualTo(v2id);

    Resp again = app.post(base + "/" + v2id + "/promote", ws.key(), "");
    assertThat(again.status()).isEqualTo(422);
    assertThat(again.text("error")).isEqualTo("Version is already active");
    // A retired version comes back.
    ok(app.post(base + "/" + v1.path("id").asText() + "/promote", ws.key(), ""));
    assertThat(ok(app.get(base, ws.key())).path("data").findValuesAsText("status"))
        .containsExactly("retired", "active");

    Resp unknown = app.post(base + "/ver_nope/promote", ws.key(), "");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text("error")).isEqualTo("Version not found");
    String otherTemplate = created(app.post("/api/templates", ws.key(), body("slug", "other",
        "name", "Other"))).path("id").asText();
    assertThat(app.post("/api/templates/" + otherTemplate + "/versions/" + v2id + "/promote",
        ws.key(), "").status()).isEqualTo(404);
    assertThat(app.post("/api/templates/tpl_nope/versions/" + v2id + "/promote", ws.key(), "")
        .text("error")).isEqualTo("Template not found");
  }

  @Test
  void givenEightDraftsPromotedAtOnce_whenAllIsDone_thenExactlyOneIsActiveAndTheTemplatePointsAtIt()
      throws Exception {
    Ws ws = workspace();
    String id = created(app.post("/api/templates", ws.key(), body("slug", "race", "name", "Race")))
        .path("id").asText();
    String base = "/api/templates/" + id + "/versions";
    created(app.post(base, ws.key(), body("content", "v1", "authorType", "human",
        "authorName", "ann")));
    List<String> drafts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      drafts.add(created(app.post(base, ws.key(), body("content", "draft " + i,
          "authorType", "human", "authorName", "ann"))).path("id").asText());
    }
    Iterator<String> next = drafts.iterator();
    List<Integer> statuses = concurrently(8, () -> {
      String v;
      synchronized (next) {
        v = next.next();
      }
      return app.post(base + "/" + v + "/promote", ws.key(), "").status();
    });
    assertThat(statuses).containsOnly(200);
    JsonNode all = ok(app.get(base + "?limit=50", ws.key())).path("data");
    List<String> active = new ArrayList<>();
    all.forEach(v -> {
      if (v.path("status").asText().equals("active")) {
        active.add(v.path("id").asText());
      }
    });
    assertThat(active).hasSize(1);
    assertThat(ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText()).isEqualTo(active.get(0));
    assertThat(all.findValuesAsText("status")).containsOnly("active", "retired");
  }

  @Test
  void givenBadVersionBodies_whenSent_thenTripleBracesUnknownPartialsAndMissingFieldsAre422() {
    Ws ws = workspace();
    String id = created(app.post("/api/templates", ws.key(), body("slug", "bad-versions",
        "name", "x"))).path("id").asText();
    String base = "/api/templates/" + id + "/versions";
    Map<Map<String, Object>, String> bad = new LinkedHashMap<>();
    bad.put(body("content", "{{{issue.title}}}", "authorType", "human", "authorName", "a"),
        "Triple-brace syntax ({{{) is not allowed");
    bad.put(body("content", "{{> secrets}}", "authorType", "human", "authorName", "a"),
        "Unknown partial 'secrets'");
    bad.put(body("content", "{{#each x}}", "authorType", "human", "authorName", "a"),
        "content is not a valid Handlebars template");
    bad.put(body("authorType", "human", "authorName", "a"), "content is required");
    bad.put(body("content", "x", "authorType", "robot", "authorName", "a"),
        "authorType must be one of human, agent");
    bad.put(body("content", "x", "authorType", "human"), "authorName is required");
    bad.forEach((b, message) -> {
      Resp r = app.post(base, ws.key(), b);
      assertThat(r.status()).as(b.toString()).isEqualTo(422);
      assertThat(r.text("error")).as(b.toString()).startsWith(message);
    });
    assertThat(ok(app.get(base, ws.key())).path("total").asInt()).isZero();
    assertThat(app.post("/api/templates/tpl_nope/versions", ws.key(),
        body("content", "x", "authorType", "human", "authorName", "a")).status()).isEqualTo(404);
  }

  // ---- reviews --------------------------------------------------------------------------

  @Test
  void givenReviews_whenSubmitted_thenTheyAreListedAndTheScoreIsTheirEwma() {
    Ws ws = workspace();
    JsonNode t = template(ws, "reviewed", Map.of(), "Do {{issue.title}}");
    String id = t.path("id").asText();
    String version = ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText();
    IssueRow issue = issue(ws, "task", "Reviewed task");

    JsonNode first = created(app.post("/api/prompt-reviews", ws.key(), body("versionId", version,
        "issueId", issue.id(), "clarity", 4, "completeness", 5, "relevance", 3,
        "feedback", "Missing error handling", "authorType", "agent")));
    assertThat(names(first)).isEqualTo(REVIEW_FIELDS);
    assertThat(first.path("id").asText()).startsWith("rev_");
    assertThat(first.path("feedback").asText()).isEqualTo("Missing error handling");
    JsonNode v = ok(app.get("/api/templates/" + id, ws.key())).path("data").path("activeVersion");
    assertThat(v.path("reviewScore").asDouble()).isCloseTo(4.0, within(1e-9));
    assertThat(v.path("reviewCount").asInt()).isEqualTo(1);

    JsonNode second = review(ws, version, issue.id(), 2, 2, 2);
    assertThat(second.path("feedback").isNull()).isTrue();
    v = ok(app.get("/api/templates/" + id, ws.key())).path("data").path("activeVersion");
    assertThat(v.path("reviewScore").asDouble()).isCloseTo(0.3 * 2 + 0.7 * 4, within(1e-9));

    JsonNode list = ok(app.get("/api/templates/" + id + "/reviews", ws.reader()));
    assertThat(list.path("total").asInt()).isEqualTo(2);
    assertThat(list.path("data").findValuesAsText("id"))
        .containsExactly(second.path("id").asText(), first.path("id").asText());
    assertThat(names(list.path("data").get(0))).isEqualTo(REVIEW_FIELDS);
    assertThat(app.get("/api/templates/tpl_nope/reviews", ws.key()).status()).isEqualTo(404);
  }

  @Test
  void givenBadReviews_whenSent_thenFieldsAre422AndUnknownVersionOrIssueIs404() {
    Ws ws = workspace();
    template(ws, "bad-reviews", Map.of(), "x");
    String version = app.jdbi().withHandle(h -> h.select("select v.id from"
        + " engine_template_versions v join engine_templates t on t.id = v.template_id"
        + " where t.owner_id = ? and t.slug = 'bad-reviews'", ws.id()).mapTo(String.class).one());
    IssueRow issue = issue(ws, "task", "t");
    Map<Map<String, Object>, String> bad = new LinkedHashMap<>();
    bad.put(body("issueId", issue.id(), "clarity", 3, "completeness", 3, "relevance", 3,
        "authorType", "agent"), "versionId is required");
    bad.put(body("versionId", version, "issueId", issue.id(), "clarity", 0, "completeness", 3,
        "relevance", 3, "authorType", "agent"), "clarity must be a whole number from 1 to 5");
    bad.put(body("versionId", version, "issueId", issue.id(), "clarity", 3, "completeness", 6,
        "relevance", 3, "authorType", "agent"), "completeness must be a whole number from 1 to 5");
    bad.put(body("versionId", version, "issueId", issue.id(), "clarity", 3, "completeness", 3,
        "relevance", 3.5, "authorType", "agent"), "relevance must be a whole number from 1 to 5");
    bad.put(body("versionId", version, "issueId", issue.id(), "clarity", "3", "completeness", 3,
        "relevance", 3, "authorType", "agent"), "clarity must be a whole number from 1 to 5");
    bad.put(body("versionId", version, "issueId", issue.id(), "clarity", 3, "completeness", 3,
        "relevance", 3), "authorType is required");
    bad.put(body("versionId", version, "issueId", issue.id(), "completeness", 3,
        "relevance", 3, "authorType", "agent"), "clarity is required");
    bad.forEach((b, message) -> {
      Resp r = app.post("/api/prompt-reviews", ws.key(), b);
      assertThat(r.status()).as(b.toString()).isEqualTo(422);
      assertThat(r.text("error")).as(b.toString()).isEqualTo(message);
    });
    assertThat(app.post("/api/prompt-reviews", ws.key(), "nope").status()).isEqualTo(400);
    Resp noVersion = app.post("/api/prompt-reviews", ws.key(), body("versionId", "ver_nope",
        "issueId", issue.id(), "clarity", 3, "completeness", 3, "relevance", 3,
        "authorType", "agent"));
    assertThat(noVersion.status()).isEqualTo(404);
    assertThat(noVersion.text("error")).isEqualTo("Version not found");
    Resp noIssue = app.post("/api/prompt-reviews", ws.key(), body("versionId", version,
        "issueId", "iss_nope", "clarity", 3, "completeness", 3, "relevance", 3,
        "authorType", "agent"));
    assertThat(noIssue.status()).isEqualTo(404);
    assertThat(noIssue.text("error")).isEqualTo("Issue not found");
    Ws other = workspace();
    assertThat(app.post("/api/prompt-reviews", other.key(), body("versionId", version,
        "issueId", issue.id(), "clarity", 3, "completeness", 3, "relevance", 3,
        "authorType", "agent")).status()).isEqualTo(404);
    assertThat(count("select count(*) from engine_prompt_reviews where version_id = ?", version))
        .isZero();
  }

  @Test
  void givenPoorReviews_whenTheThirdArrives_thenOneImprovementIssueOpensAndNoSecond() {
    Ws ws = workspace();
    JsonNode t = template(ws, "poorly-rated", Map.of(), "x");
    String id = t.path("id").asText();
    String version = ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText();
    IssueRow issue = issue(ws, "task", "t");
    review(ws, version, issue.id(), 2, 2, 2);
    review(ws, version, issue.id(), 2, 3, 2);
    assertThat(count("select count(*) from engine_issues where owner_id = ?", ws.id())).isOne();
    review(ws, version, issue.id(), 3, 2, 2);

    JsonNode v = ok(app.get("/api/templates/" + id, ws.key())).path("data").path("activeVersion");
    String improvement = v.path("improvementIssueId").asText();
    assertThat(improvement).startsWith("iss_");
    IssueRow opened = app.jdbi().onDemand(IssueDao.class).find(ws.id(), improvement).orElseThrow();
    assertThat(opened.type()).isEqualTo("task");
    assertThat(opened.status()).isEqualTo("todo");
    assertThat(opened.priority()).isEqualTo(3);
    assertThat(opened.title()).matches("Improve prompt template: poorly-rated \\(avg review"
        + " 2\\.\\d/5, 3 reviews since v1\\)");
    assertThat(opened.description()).contains("/api/templates/" + id + "/reviews");
    List<String> labels = app.jdbi().withHandle(h -> h.select("select l.name from"
        + " engine_issue_labels il join engine_labels l on l.id = il.label_id"
        + " where il.issue_id = ? order by l.name", improvement).mapTo(String.class).list());
    assertThat(labels).containsExactly("meta", "prompt-improvement");

    review(ws, version, issue.id(), 1, 1, 1);
    assertThat(count("select count(*) from engine_issues where owner_id = ?"
        + " and title like 'Improve prompt template:%'", ws.id())).isOne();
  }

  @Test
  void givenGoodReviews_whenTheFifteenthArrives_thenItOpensTheImprovementIssueAnyway() {
    Ws ws = workspace();
    JsonNode t = template(ws, "well-rated", Map.of(), "x");
    String version = ok(app.get("/api/templates/" + t.path("id").asText(), ws.key()))
        .path("data").path("activeVersionId").asText();
    IssueRow issue = issue(ws, "task", "t");
    for (int i = 0; i < 14; i++) {
      review(ws, version, issue.id(), 5, 4, 5);
    }
    assertThat(count("select count(*) from engine_issues where owner_id = ?", ws.id())).isOne();
    review(ws, version, issue.id(), 5, 5, 5);
    assertThat(count("select count(*) from engine_issues where owner_id = ? and title like"
        + " 'Improve prompt template: well-rated (avg review 4._/5, 15 reviews since v1)'",
        ws.id())).isOne();
  }

  @Test
  void givenSixteenConcurrentPoorReviews_whenSubmittedOverHttp_thenAllCountAndOneIssueOpens()
      throws Exception {
    Ws ws = workspace();
    JsonNode t = template(ws, "stampede", Map.of(), "x");
    String id = t.path("id").asText();
    String version = ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText();
    IssueRow issue = issue(ws, "task", "t");

    List<Integer> statuses = concurrently(16, () -> app.post("/api/prompt-reviews", ws.key(),
        body("versionId", version, "issueId", issue.id(), "clarity", 1, "completeness", 2,
            "relevance", 1, "authorType", "agent")).status());

    assertThat(statuses).containsOnly(201);
    JsonNode v = ok(app.get("/api/templates/" + id, ws.key())).path("data").path("activeVersion");
    assertThat(v.path("reviewCount").asInt()).isEqualTo(16);
    assertThat(v.path("reviewScore").asDouble()).isCloseTo(4.0 / 3, within(1e-9));
    assertThat(count("select count(*) from engine_issues where owner_id = ?"
        + " and title like 'Improve prompt template: stampede%'", ws.id())).isOne();
    assertThat(ok(app.get("/api/templates/" + id + "/reviews?limit=50", ws.key()))
        .path("total").asInt()).isEqualTo(16);
  }

  // ---- preview, selection, rendering ----------------------------------------------------

  @Test
  void givenASignal_whenPreviewed_thenLoopsTriageTemplateRendersItWithoutClaimingOrCounting() {
    Ws ws = workspace();
    IssueRow signal = issue(ws, "signal", "[PostHog] error_rate: Login failures spiked",
        "signalSource", "posthog", "signalPayload", "{\"event\":\"error_rate\",\"value\":0.22}",
        "priority", "1");

    JsonNode p = preview(ws, signal.id());
    assertThat(names(p)).isEqualTo(Set.of("issue", "template", "version", "prompt"));
    assertThat(names(p.path("issue"))).isEqualTo(Set.of("id", "number", "title", "type"));
    assertThat(p.path("issue").path("number").asInt()).isEqualTo(signal.number());
    assertThat(p.path("template").path("slug").asText()).isEqualTo("signal-triage");
    assertThat(names(p.path("template")))
        .containsAll(Set.of("id", "slug", "conditions", "specificity"));
    assertThat(names(p.path("version"))).isEqualTo(Set.of("id", "version"));
    String prompt = p.path("prompt").asText();
    assertThat(prompt).startsWith("# Triage signal #" + signal.number()
        + ": [PostHog] error_rate: Login failures spiked")
        .contains("posthog (priority urgent)")
        .contains("\"event\" : \"error_rate\"")
        .contains("http://interlock.test/api/issues/" + signal.id() + "/comments")
        .contains("\"versionId\": \"" + p.path("version").path("id").asText() + "\"")
        .contains("$LOOP_API_KEY");
    // Nothing changed: the issue is not claimed and the version counts no use.
    assertThat(app.jdbi().onDemand(IssueDao.class).find(ws.id(), signal.id()).orElseThrow()
        .status()).isEqualTo("todo");
    assertThat(count("select usage_count from engine_template_versions where id = ?",
        p.path("version").path("id").asText())).isZero();

    assertThat(app.get("/api/templates/preview/iss_nope", ws.key()).text("error"))
        .isEqualTo("Issue not found");
    assertThat(app.get("/api/templates/preview/" + signal.id(), workspace().key()).status())
        .isEqualTo(404);
  }

  @Test
  void givenNoTemplateForTheType_whenPreviewed_thenNullsAndAMessage() {
    Ws ws = workspace();
    JsonNode list = ok(app.get("/api/templates", ws.key()));
    for (JsonNode t : list.path("data")) {
      if (t.path("slug").asText().equals("monitor-check")) {
        assertThat(app.delete("/api/templates/" + t.path("id").asText(), ws.key()).status())
            .isEqualTo(204);
      }
    }
    IssueRow monitor = issue(ws, "monitor", "Watch checkout");
    JsonNode p = preview(ws, monitor.id());
    assertThat(p.path("template").isNull()).isTrue();
    assertThat(p.path("version").isNull()).isTrue();
    assertThat(p.path("prompt").isNull()).isTrue();
    assertThat(p.path("message").asText()).isEqualTo("No matching template found");
  }

  @Test
  void givenCompetingTemplates_whenPreviewed_thenProjectBeatsSpecificityBeatsTheTypeFallback() {
    Ws ws = workspace();
    sql("insert into engine_projects (id, owner_id, name) values (?, ?, 'Checkout')",
        "proj_" + ws.id(), ws.id());
    sql("insert into engine_projects (id, owner_id, name) values (?, ?, 'Search')",
        "proj_other_" + ws.id(), ws.id());
    IssueRow inProject = issue(ws, "task", "In project", "projectId", "proj_" + ws.id());
    IssueRow elsewhere = issue(ws, "task", "Elsewhere");

    assertThat(chosen(ws, elsewhere)).isEqualTo("task-execution");
    template(ws, "specific-tasks", Map.of("conditions", Map.of("type", "task"),
        "specificity", 50), "specific");
    assertThat(chosen(ws, elsewhere)).isEqualTo("specific-tasks");
    assertThat(chosen(ws, inProject)).isEqualTo("specific-tasks");
    template(ws, "other-project", Map.of("projectId", "proj_other_" + ws.id(),
        "specificity", 100), "other project");
    template(ws, "checkout-own", Map.of("projectId", "proj_" + ws.id(), "specificity", 0),
        "project's own");
    assertThat(chosen(ws, inProject)).isEqualTo("checkout-own");
    assertThat(chosen(ws, elsewhere)).isEqualTo("specific-tasks");
    assertThat(preview(ws, inProject.id()).path("prompt").asText()).isEqualTo("project's own");
  }

  @Test
  void givenConditionsOnWhatIsKnownAroundTheIssue_whenPreviewed_thenEachDecides() {
    Ws ws = workspace();
    sql("insert into engine_projects (id, owner_id, name) values (?, ?, 'P')", "proj_c" + ws.id(),
        ws.id());
    template(ws, "by-label", Map.of("conditions", Map.of("labels", List.of("Checkout")),
        "specificity", 20), "label");
    template(ws, "by-source", Map.of("conditions", Map.of("signalSource", "sentry"),
        "specificity", 30), "source");
    template(ws, "by-failure", Map.of("conditions", Map.of("hasFailedSessions", true),
        "specificity", 40), "failure");
    template(ws, "by-confidence", Map.of("conditions", Map.of("type", "hypothesis",
        "hypothesisConfidence", 0.7), "specificity", 50), "confidence");
    template(ws, "by-project", Map.of("conditions", Map.of("projectId", "proj_c" + ws.id()),
        "specificity", 60), "project");

    IssueRow labelled = issue(ws, "task", "Labelled");
    assertThat(chosen(ws, labelled)).isEqualTo("task-execution");
    sql("insert into engine_labels (id, owner_id, name, color) values (?, ?, 'checkout', '#fff')",
        "lbl_" + ws.id(), ws.id());
    sql("insert into engine_issue_labels (issue_id, label_id) values (?, ?)", labelled.id(),
        "lbl_" + ws.id());
    assertThat(chosen(ws, labelled)).isEqualTo("by-label");

    assertThat(chosen(ws, issue(ws, "signal", "S", "signalSource", "Sentry")))
        .isEqualTo("by-source");
    assertThat(chosen(ws, issue(ws, "signal", "S", "signalSource", "github")))
        .isEqualTo("signal-triage");

    IssueRow retried = issue(ws, "task", "Retried");
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until, ended_at,"
        + " outcome) values (?, ?, ?, 'key:k', now(), now(), 'completed')",
        "dsp_ok" + retried.id(), ws.id(), retried.id());
    assertThat(chosen(ws, retried)).isEqualTo("task-execution");
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until, ended_at,"
        + " outcome) values (?, ?, ?, 'key:k', now(), now(), 'lapsed')",
        "dsp_lapsed" + retried.id(), ws.id(), retried.id());
    assertThat(chosen(ws, retried)).isEqualTo("by-failure");

    assertThat(chosen(ws, issue(ws, "hypothesis", "H", "hypothesis",
        "{\"statement\":\"s\",\"confidence\":0.9}"))).isEqualTo("by-confidence");
    assertThat(chosen(ws, issue(ws, "hypothesis", "H", "hypothesis",
        "{\"statement\":\"s\",\"confidence\":0.5}"))).isEqualTo("hypothesis-planning");
    assertThat(chosen(ws, issue(ws, "plan", "P", "projectId", "proj_c" + ws.id())))
        .isEqualTo("by-project");
  }

  @Test
  void givenAnIssueWithItsSurroundings_whenRendered_thenTheTemplateSeesThemAll() {
    Ws ws = workspace();
    sql("insert into engine_goals (id, owner_id, title, metric, target_value, current_value,"
        + " unit, status) values (?, ?, 'Conversion', 'checkout rate', 4.5, 3.2, '%', 'active')",
        "goal_" + ws.id(), ws.id());
    sql("insert into engine_projects (id, owner_id, name, description, goal_id)"
        + " values (?, ?, 'Checkout', 'The checkout flow', ?)", "proj_" + ws.id(), ws.id(),
        "goal_" + ws.id());
    IssueRow parent = issue(ws, "plan", "Fix checkout", "description", "The plan");
    IssueRow me = issue(ws, "task", "Patch the form", "parentId", parent.id(),
        "projectId", "proj_" + ws.id(), "description", "Validate the card field");
    IssueRow sibling = issue(ws, "task", "Write the test", "parentId", parent.id());
    IssueRow child = issue(ws, "task", "Sub-step", "parentId", me.id());
    IssueRow blocker = issue(ws, "task", "Upgrade the SDK", "status", "done");
    IssueRow waiting = issue(ws, "task", "Ship it");
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, 'blocked_by', ?, ?)", "rel_a" + me.id(), ws.id(), me.id(), blocker.id());
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, 'blocks', ?, ?)", "rel_b" + me.id(), ws.id(), me.id(), waiting.id());
    sql("insert into engine_labels (id, owner_id, name, color) values (?, ?, 'frontend', '#0af')",
        "lbl_" + ws.id(), ws.id());
    sql("insert into engine_issue_labels (issue_id, label_id) values (?, ?)", me.id(),
        "lbl_" + ws.id());
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until, ended_at,"
        + " outcome) values (?, ?, ?, 'key:k', now(), now(), 'lapsed')", "dsp_" + me.id(),
        ws.id(), me.id());

    template(ws, "everything", Map.of("projectId", "proj_" + ws.id()), String.join("\n",
        "issue={{issue.number}} {{issue.title}} / {{issue.description}} / {{issue.status}}",
        "parent={{parent.title}}",
        "siblings={{#each siblings}}{{title}};{{/each}}",
        "children={{#each children}}{{title}};{{/each}}",
        "project={{project.name}} ({{project.description}})",
        "goal={{goal.title}} {{goal.currentValue}}{{goal.unit}}/{{goal.targetValue}}{{goal.unit}}",
        "labels={{#each labels}}{{name}}{{/each}}",
        "blockedBy={{#each blockedBy}}#{{number}} {{title}} ({{status}}){{/each}}",
        "blocking={{#each blocking}}#{{number}} {{title}}{{/each}}",
        "sessions={{#each previousSessions}}{{outcome}}{{/each}}",
        "url={{loopUrl}} meta={{meta.templateSlug}} v{{meta.versionNumber}} {{meta.reviewUrl}}"));

    String prompt = preview(ws, me.id()).path("prompt").asText();
    assertThat(prompt.lines().toList()).containsExactly(
        "issue=" + me.number() + " Patch the form / Validate the card field / todo",
        "parent=Fix checkout",
        "siblings=Write the test;",
        "children=Sub-step;",
        "project=Checkout (The checkout flow)",
        "goal=Conversion 3.2%/4.5%",
        "labels=frontend",
        "blockedBy=#" + blocker.number() + " Upgrade the SDK (done)",
        "blocking=#" + waiting.number() + " Ship it",
        "sessions=lapsed",
        "url=http://interlock.test meta=everything v1 POST /api/prompt-reviews");
    assertThat(sibling.id()).isNotEqualTo(child.id());
  }

  @Test
  void givenTheBuilderAsDispatchCallsIt_whenBuiltAndUsed_thenMetaIsLoopsAndTheUsageCountRises() {
    Ws ws = workspace();
    IssueRow task = issue(ws, "task", "Built");
    Engine engine = app.engine();
    Prompt prompt = engine.prompts().build(ws.id(), task.id());
    assertThat(prompt.matched()).isTrue();
    assertThat(prompt.text()).contains("# Task #" + task.number() + ": Built");
    Prompt.Meta meta = prompt.meta();
    assertThat(meta.templateSlug()).isEqualTo("task-execution");
    assertThat(meta.templateId()).isEqualTo(prompt.template().id());
    assertThat(meta.versionId()).isEqualTo(prompt.version().id());
    assertThat(meta.versionNumber()).isEqualTo(1);
    assertThat(meta.reviewUrl()).isEqualTo("POST /api/prompt-reviews");

    engine.prompts().recordUsage(meta.versionId());
    engine.prompts().recordUsage(meta.versionId());
    JsonNode t = ok(app.get("/api/templates/" + meta.templateId(), ws.key())).path("data");
    assertThat(t.path("activeVersion").path("usageCount").asInt()).isEqualTo(2);
  }

  @Test
  void givenKeysOfTheWorkspace_whenAnyPromptIsBuilt_thenNoKeyIsInIt() {
    Ws ws = workspace();
    // A template that asks for every name a credential could go by, then prints everything
    // it can see.
    template(ws, "greedy", Map.of("conditions", Map.of("type", "monitor"), "specificity", 90),
        "[{{loopToken}}][{{apiKey}}][{{key}}][{{token}}][{{env.LOOP_API_KEY}}]"
            + "[{{config.auth.adminKey}}][{{@root.loopToken}}]\n{{json this}}");
    List<String> secrets = List.of(ws.key(), ws.reader(), ws.stranger(), TestApp.ADMIN_KEY);
    for (String type : List.of("signal", "hypothesis", "plan", "task", "monitor")) {
      IssueRow issue = issue(ws, type, "Keyless " + type, "description", "Nothing secret here",
          "signalPayload", "{\"k\":1}", "hypothesis", "{\"statement\":\"s\",\"confidence\":0.5}");
      String prompt = preview(ws, issue.id()).path("prompt").asText();
      assertThat(prompt).as(type).isNotBlank();
      for (String secret : secrets) {
        assertThat(prompt).as(type).doesNotContain(secret);
      }
      assertThat(prompt).as(type).doesNotContainPattern("(ilk|agk|lk_pub|la)_[0-9a-zA-Z]{16,}");
      if (type.equals("monitor")) {
        assertThat(prompt.lines().findFirst()).contains("[][][][][][][]");
        assertThat(prompt).contains("\"loopUrl\" : \"http://interlock.test\"")
            .contains("\"title\" : \"Keyless monitor\"");
      }
    }
  }

  // ---- who may call what ----------------------------------------------------------------

  @Test
  void givenEachOperation_whenCalledWithoutAKeyWithoutTheScopeOrFromAnotherWorkspace_then401403404() {
    Ws ws = workspace();
    JsonNode t = template(ws, "guarded", Map.of(), "guarded");
    String id = t.path("id").asText();
    String version = ok(app.get("/api/templates/" + id, ws.key())).path("data")
        .path("activeVersionId").asText();
    IssueRow issue = issue(ws, "task", "Guarded");
    Map<String, Object> review = body("versionId", version, "issueId", issue.id(), "clarity", 3,
        "completeness", 3, "relevance", 3, "authorType", "agent");
    record Op(String name, boolean write, java.util.function.Function<String, Resp> call) {}
    List<Op> ops = List.of(
        new Op("list", false, k -> app.get("/api/templates", k)),
        new Op("create", true, k -> app.post("/api/templates", k,
            body("slug", "guarded-new", "name", "x"))),
        new Op("get", false, k -> app.get("/api/templates/" + id, k)),
        new Op("patch", true, k -> patch("/api/templates/" + id, k, body("name", "y"))),
        new Op("delete", true, k -> app.delete("/api/templates/" + id, k)),
        new Op("versions", false, k -> app.get("/api/templates/" + id + "/versions", k)),
        new Op("create version", true, k -> app.post("/api/templates/" + id + "/versions", k,
            body("content", "z", "authorType", "human", "authorName", "a"))),
        new Op("promote", true, k -> app.post("/api/templates/" + id + "/versions/" + version
            + "/promote", k, "")),
        new Op("reviews", false, k -> app.get("/api/templates/" + id + "/reviews", k)),
        new Op("preview", false, k -> app.get("/api/templates/preview/" + issue.id(), k)),
        new Op("review", true, k -> app.post("/api/prompt-reviews", k, review)));
    Ws other = workspace();
    for (Op op : ops) {
      assertThat(op.call().apply(null).status()).as(op.name() + " without a key").isEqualTo(401);
      Resp stranger = op.call().apply(ws.stranger());
      assertThat(stranger.status()).as(op.name() + " without loop scopes").isEqualTo(403);
      assertThat(stranger.text("error")).as(op.name()).isNotBlank();
      if (op.write()) {
        assertThat(op.call().apply(ws.reader()).status()).as(op.name() + " read-only")
            .isEqualTo(403);
      }
      if (!op.name().equals("list") && !op.name().equals("create")) {
        assertThat(op.call().apply(other.key()).status()).as(op.name() + " other workspace")
            .isEqualTo(404);
      }
    }
    // Nothing the refused calls asked for happened.
    JsonNode after = ok(app.get("/api/templates/" + id, ws.key())).path("data");
    assertThat(after.path("name").asText()).isEqualTo("Template guarded");
    assertThat(after.path("deletedAt").isNull()).isTrue();
    assertThat(ok(app.get("/api/templates/" + id + "/versions", ws.key())).path("total").asInt())
        .isEqualTo(1);
    assertThat(count("select count(*) from engine_prompt_reviews where version_id = ?", version))
        .isZero();
    // The admin key (its own workspace) reads and writes.
    assertThat(app.get("/api/templates", TestApp.ADMIN_KEY).status()).isEqualTo(200);
  }
}
