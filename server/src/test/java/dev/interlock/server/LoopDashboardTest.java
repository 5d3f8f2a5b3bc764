package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's dashboard API ({@code /api/dashboard/stats}, {@code activity}, {@code prompts}) over
 * data each test makes in a workspace of its own, and the two routes every dialect shares
 * with Loop: {@code GET /} (Loop's service info to JSON clients, the dashboard to browsers)
 * and {@code GET /health} (one body for every dialect).
 */
class LoopDashboardTest {

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

  /** A fresh workspace and a key that reads and writes Loop in it. */
  record Workspace(String owner, String key) {}

  static Workspace workspace() {
    String owner = "dash-" + UUID.randomUUID();
    return new Workspace(owner, app.keyFor(owner, Set.of("loop:read", "loop:write")));
  }

  /** An issue made as the issues' own API would (another part of the engine). */
  static String issue(Workspace w, String type, String status, String parentId) {
    String id = "iss_" + UUID.randomUUID();
    app.jdbi().useHandle(h -> {
      int number = h.createQuery("""
          insert into engine_counters (owner_id, next_issue) values (:o, 1)
          on conflict (owner_id) do update set next_issue = engine_counters.next_issue + 1
          returning next_issue""").bind("o", w.owner()).mapTo(int.class).one();
      h.execute("""
          insert into engine_issues (id, owner_id, number, title, type, status, priority,
                                     parent_id, completed_at)
          values (?, ?, ?, ?, ?, ?, 3, ?, case when ? = 'done' then now() end)""",
          id, w.owner(), number, type + " " + number, type, status, parentId, status);
    });
    return id;
  }

  static void sql(String statement, Object... args) {
    app.jdbi().useHandle(h -> h.execute(statement, args));
  }

  static String signal(Workspace w, String severity) {
    Resp r = app.post("/api/signals", w.key(), Map.of("source", "sentry", "type", "error",
        "severity", severity, "payload", Map.of("message", "boom")));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body().path("data").path("issue").path("id").asText();
  }

  // ---- stats -------------------------------------------------------------------------------

  @Test
  void givenIssuesGoalsAndAQueue_whenStatsAreRead_thenEachCountIsTheWorkspaces() {
    Workspace w = workspace();
    signal(w, "high");
    signal(w, "low");
    signal(w, "critical");
    issue(w, "task", "todo", null);                                  // in the queue
    String blocked = issue(w, "task", "todo", null);                 // held by an open blocker
    String openBlocker = issue(w, "task", "in_progress", null);      // active
    String freed = issue(w, "task", "todo", null);                   // its blocker is done
    String doneBlocker = issue(w, "plan", "done", null);             // done now
    String longDone = issue(w, "hypothesis", "done", null);          // done 3 days ago
    String deleted = issue(w, "task", "todo", null);
    sql("update engine_issues set deleted_at = now() where id = ?", deleted);
    sql("update engine_issues set completed_at = now() - interval '3 days' where id = ?",
        longDone);
    relation(w, "blocked_by", blocked, openBlocker);
    relation(w, "blocked_by", freed, doneBlocker);
    // A deleted blocker holds nothing back either.
    String deletedBlocker = issue(w, "task", "todo", null);
    String heldByDeleted = issue(w, "task", "todo", null);
    sql("update engine_issues set deleted_at = now() where id = ?", deletedBlocker);
    relation(w, "blocked_by", heldByDeleted, deletedBlocker);
    goal(w, "active", false);
    goal(w, "active", false);
    goal(w, "achieved", false);
    goal(w, "abandoned", false);
    goal(w, "active", true);
    // Another workspace's issues and goals count for it alone.
    Workspace other = workspace();
    signal(other, "low");
    goal(other, "active", false);

    Resp r = app.get("/api/dashboard/stats", w.key());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    JsonNode d = r.body().path("data");
    assertThat(d.fieldNames()).toIterable().containsExactly("issues", "goals", "dispatch");
    assertThat(d.path("issues").path("total").asLong()).isEqualTo(10);
    assertThat(TestApp.JSON.convertValue(d.path("issues").path("byStatus"), Map.class))
        .isEqualTo(Map.of("triage", 3, "backlog", 0, "todo", 4, "in_progress", 1, "done", 2,
            "canceled", 0));
    assertThat(TestApp.JSON.convertValue(d.path("issues").path("byType"), Map.class))
        .isEqualTo(Map.of("signal", 3, "hypothesis", 1, "plan", 1, "task", 5, "monitor", 0));
    assertThat(d.path("goals").path("total").asLong()).isEqualTo(4);
    assertThat(d.path("goals").path("active").asLong()).isEqualTo(2);
    assertThat(d.path("goals").path("achieved").asLong()).isEqualTo(1);
    JsonNode dispatch = d.path("dispatch");
    assertThat(dispatch.path("queueDepth").asLong()).as("the todo issues nothing open blocks")
        .isEqualTo(3);
    assertThat(dispatch.path("activeCount").asLong()).isEqualTo(1);
    assertThat(dispatch.path("completedLast24h").asLong()).isEqualTo(1);

    Resp empty = app.get("/api/dashboard/stats", workspace().key());
    assertThat(empty.body().path("data").path("issues").path("total").asLong()).isZero();
    assertThat(empty.body().path("data").path("issues").path("byStatus").path("todo").asLong())
        .isZero();
    assertThat(empty.body().path("data").path("dispatch").path("queueDepth").asLong()).isZero();
  }

  static String relation(Workspace w, String type, String issueId, String relatedId) {
    String id = "rel_" + UUID.randomUUID();
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, ?, ?, ?)", id, w.owner(), type, issueId, relatedId);
    return id;
  }

  static void goal(Workspace w, String status, boolean deleted) {
    sql("insert into engine_goals (id, owner_id, title, status, deleted_at)"
        + " values (?, ?, 'Goal', ?, case when ? then now() end)",
        "goal_" + UUID.randomUUID(), w.owner(), status, deleted);
  }

  // ---- activity ----------------------------------------------------------------------------

  @Test
  void givenSignalChains_whenActivityIsRead_thenChainsComeWithChildrenRelationsLatestFirst() {
    Workspace w = workspace();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String old = signal(w, "high");
    String recent = signal(w, "low");
    String quiet = signal(w, "medium");
    String hypothesis = issue(w, "hypothesis", "todo", old);
    String task = issue(w, "task", "backlog", old);
    String gone = issue(w, "task", "todo", old);
    String blocks = relation(w, "blocks", hypothesis, task);
    String related = relation(w, "related", hypothesis, recent);
    sql("update engine_issues set deleted_at = now() where id = ?", gone);
    // The old signal's chain was touched last, through its hypothesis.
    at(old, now.minus(5, ChronoUnit.HOURS));
    at(task, now.minus(4, ChronoUnit.HOURS));
    at(hypothesis, now.minus(1, ChronoUnit.MINUTES));
    at(recent, now.minus(1, ChronoUnit.HOURS));
    at(quiet, now.minus(2, ChronoUnit.HOURS));
    at(gone, now);

    Resp r = app.get("/api/dashboard/activity", w.key());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    assertThat(r.body().path("total").asLong()).isEqualTo(3);
    JsonNode chains = r.body().path("data");
    assertThat(chains).hasSize(3);
    assertThat(ids(chains, "root")).containsExactly(old, recent, quiet);
    JsonNode first = chains.get(0);
    assertThat(first.fieldNames()).toIterable()
        .containsExactly("root", "children", "latestActivity");
    assertThat(Instant.parse(first.path("latestActivity").asText()))
        .isEqualTo(now.minus(1, ChronoUnit.MINUTES));
    assertThat(first.path("root").path("type").asText()).isEqualTo("signal");
    JsonNode children = first.path("children");
    assertThat(children).hasSize(2);
    assertThat(children.get(0).path("issue").path("id").asText()).isEqualTo(hypothesis);
    assertThat(children.get(1).path("issue").path("id").asText()).isEqualTo(task);
    assertThat(children.get(0).path("issue").path("parentId").asText()).isEqualTo(old);
    JsonNode relations = children.get(0).path("relations");
    assertThat(relations).hasSize(2);
    assertThat(relations.get(0).fieldNames()).toIterable().containsExactlyInAnyOrder("id",
        "type", "issueId", "relatedIssueId", "createdAt");
    List<String> relationIds = new ArrayList<>();
    relations.forEach(x -> relationIds.add(x.path("id").asText()));
    assertThat(relationIds).containsExactlyInAnyOrder(blocks, related);
    assertThat(children.get(1).path("relations")).isEmpty();
    assertThat(chains.get(1).path("children")).isEmpty();
    assertThat(Instant.parse(chains.get(1).path("latestActivity").asText()))
        .isEqualTo(now.minus(1, ChronoUnit.HOURS));

    Resp window = app.get("/api/dashboard/activity?limit=1&offset=1", w.key());
    assertThat(window.body().path("total").asLong()).isEqualTo(3);
    assertThat(ids(window.body().path("data"), "root")).containsExactly(recent);
    Resp page = app.get("/api/dashboard/activity?limit=2&page=2", w.key());
    assertThat(ids(page.body().path("data"), "root")).containsExactly(quiet);
    for (String bad : List.of("limit=0", "limit=201", "limit=x", "page=0")) {
      Resp refused = app.get("/api/dashboard/activity?" + bad, w.key());
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.body().path("error").isTextual()).isTrue();
    }
    // Another workspace sees none of these chains.
    Resp elsewhere = app.get("/api/dashboard/activity", workspace().key());
    assertThat(elsewhere.body().path("total").asLong()).isZero();
    assertThat(elsewhere.body().path("data")).isEmpty();
  }

  static void at(String issueId, Instant updatedAt) {
    sql("update engine_issues set updated_at = ? where id = ?",
        java.sql.Timestamp.from(updatedAt), issueId);
  }

  static List<String> ids(JsonNode chains, String field) {
    List<String> ids = new ArrayList<>();
    chains.forEach(c -> ids.add(c.path(field).path("id").asText()));
    return ids;
  }

  // ---- prompts -----------------------------------------------------------------------------

  @Test
  void givenTemplatesVersionsAndReviews_whenPromptHealthIsRead_thenEachTemplatesHealthIsShown() {
    Workspace w = workspace();
    String reviewed = signal(w, "low");
    String poor = template(w, "signal-triage", false);
    List<String> versions = new ArrayList<>();
    for (int v = 1; v <= 6; v++) {
      versions.add(version(poor, v, v == 6 ? "active" : "retired", v == 6 ? 2.5 : null, null));
    }
    activate(poor, versions.get(5));
    review(w, versions.get(4), reviewed, 4, 3, 5);
    review(w, versions.get(5), reviewed, 2, 2, 2);
    String bare = template(w, "task-default", false);
    String slow = template(w, "plan-default", false);
    String slowVersion = version(slow, 1, "active", 4.2, 0.3);
    activate(slow, slowVersion);
    String healthy = template(w, "monitor-default", false);
    activate(healthy, version(healthy, 1, "active", 4.5, 0.9));
    template(w, "deleted", true);
    template(workspace(), "another-workspace", false);

    Resp r = app.get("/api/dashboard/prompts", w.key());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    JsonNode data = r.body().path("data");
    assertThat(ids(data, "template")).containsExactly(poor, bare, slow, healthy);

    JsonNode p = data.get(0);
    assertThat(p.fieldNames()).toIterable().containsExactly("template", "activeVersion",
        "recentVersions", "reviewSummary", "needsAttention");
    assertThat(p.path("template").fieldNames()).toIterable().containsExactlyInAnyOrder("id",
        "slug", "name", "description", "conditions", "specificity", "projectId",
        "activeVersionId", "createdAt", "updatedAt", "deletedAt");
    assertThat(p.path("template").path("slug").asText()).isEqualTo("signal-triage");
    assertThat(p.path("template").path("conditions").path("type").asText()).isEqualTo("signal");
    assertThat(p.path("activeVersion").path("id").asText()).isEqualTo(versions.get(5));
    assertThat(p.path("activeVersion").fieldNames()).toIterable().containsExactlyInAnyOrder(
        "id", "templateId", "version", "content", "changelog", "authorType", "authorName",
        "status", "usageCount", "completionRate", "avgDurationMs", "reviewScore", "createdAt");
    List<Integer> recent = new ArrayList<>();
    p.path("recentVersions").forEach(v -> recent.add(v.path("version").asInt()));
    assertThat(recent).containsExactly(6, 5, 4, 3, 2);
    JsonNode summary = p.path("reviewSummary");
    assertThat(summary.path("totalReviews").asLong()).isEqualTo(2);
    assertThat(summary.path("avgClarity").asDouble()).isEqualTo(3.0);
    assertThat(summary.path("avgCompleteness").asDouble()).isEqualTo(2.5);
    assertThat(summary.path("avgRelevance").asDouble()).isEqualTo(3.5);
    assertThat(summary.path("compositeScore").asDouble()).isEqualTo(2.5);
    assertThat(p.path("needsAttention").asBoolean()).isTrue();

    JsonNode b = data.get(1);
    assertThat(b.path("activeVersion").isNull()).isTrue();
    assertThat(b.path("recentVersions")).isEmpty();
    assertThat(b.path("reviewSummary").path("totalReviews").asLong()).isZero();
    assertThat(b.path("reviewSummary").path("avgClarity").isNull()).isTrue();
    assertThat(b.path("reviewSummary").path("compositeScore").isNull()).isTrue();
    assertThat(b.path("needsAttention").asBoolean()).isFalse();

    assertThat(data.get(2).path("needsAttention").asBoolean()).as("completion below 50%")
        .isTrue();
    assertThat(data.get(3).path("needsAttention").asBoolean()).isFalse();
    assertThat(data.get(3).path("reviewSummary").path("compositeScore").asDouble())
        .isEqualTo(4.5);

    assertThat(app.get("/api/dashboard/prompts", workspace().key()).body().path("data"))
        .isEmpty();
  }

  static String template(Workspace w, String slug, boolean deleted) {
    String id = "tpl_" + UUID.randomUUID();
    sql("insert into engine_templates (id, owner_id, slug, name, conditions, deleted_at)"
        + " values (?, ?, ?, ?, cast(? as jsonb), case when ? then now() end)",
        id, w.owner(), slug, "Template " + slug, "{\"type\":\"signal\"}", deleted);
    // Created one after another, so "oldest first" is this order.
    sql("update engine_templates set created_at = clock_timestamp() where id = ?", id);
    return id;
  }

  static String version(String templateId, int number, String status, Double score,
      Double completion) {
    String id = "ver_" + UUID.randomUUID();
    sql("insert into engine_template_versions (id, template_id, version, content, author_type,"
        + " author_name, status, review_score, completion_rate)"
        + " values (?, ?, ?, 'Triage {{issue.title}}', 'human', 'system', ?, ?, ?)",
        id, templateId, number, status, score, completion);
    return id;
  }

  static void activate(String templateId, String versionId) {
    sql("update engine_templates set active_version_id = ? where id = ?", versionId,
        templateId);
  }

  static void review(Workspace w, String versionId, String issueId, int clarity,
      int completeness, int relevance) {
    sql("insert into engine_prompt_reviews (id, owner_id, version_id, issue_id, clarity,"
        + " completeness, relevance, author_type) values (?, ?, ?, ?, ?, ?, ?, 'agent')",
        "rev_" + UUID.randomUUID(), w.owner(), versionId, issueId, clarity, completeness,
        relevance);
  }

  // ---- access ------------------------------------------------------------------------------

  @Test
  void givenNoKeyOrAKeyWithoutLoopRead_whenTheDashboardIsRead_then401Or403() {
    String other = app.keyFor("dash-" + UUID.randomUUID(), Set.of("request:read"));
    for (String path : List.of("/api/dashboard/stats", "/api/dashboard/activity",
        "/api/dashboard/prompts")) {
      Resp none = app.get(path, null);
      assertThat(none.status()).as(path).isEqualTo(401);
      assertThat(none.body().path("error").isTextual()).isTrue();
      assertThat(app.get(path, other).status()).as(path).isEqualTo(403);
      assertThat(app.get(path, ADMIN_KEY).status()).as(path).isEqualTo(200);
    }
  }

  // ---- GET / and /health -------------------------------------------------------------------

  static HttpResponse<String> root(String accept) {
    HttpRequest.Builder b = app.builder("/", null).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    return app.raw(b);
  }

  @Test
  void givenAJsonClient_whenItGetsTheRoot_thenItGetsLoopsServiceInfoWithoutAKey()
      throws Exception {
    for (String accept : List.of("application/json", "application/json, text/plain, */*",
        "application/json;q=1, text/html;q=0.5")) {
      HttpResponse<String> r = root(accept);
      assertThat(r.statusCode()).as(accept).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      JsonNode info = TestApp.JSON.readTree(r.body());
      assertThat(info.path("name").asText()).isEqualTo("Loop API");
      assertThat(info.path("version").asText()).isEqualTo("0.1.0");
      assertThat(info.path("service").asText()).isEqualTo("interlock");
    }
  }

  @Test
  void givenABrowserOrAClientWithoutPreference_whenItGetsTheRoot_thenItGetsTheDashboard() {
    String browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
        + "image/webp,*/*;q=0.8";
    for (String accept : java.util.Arrays.asList(browser, "*/*", "text/html", null,
        "text/html, application/json", "application/json;q=0.5, text/html;q=0.9, */*")) {
      HttpResponse<String> r = root(accept);
      // Without a session the dashboard sends the browser to its login page.
      assertThat(r.statusCode()).as(String.valueOf(accept)).isEqualTo(303);
      assertThat(r.headers().firstValue("Location").orElse("")).contains("/ui/login");
    }
    Identities ids = new Identities(app);
    Identities.User ada = ids.existingUser("test-admin", "test-admin-password");
    HttpResponse<String> page = app.raw(app.builder("/", null).header("Accept", browser)
        .header("Cookie", "loopat_session=" + ada.token()).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).containsIgnoringCase("<html");
  }

  @Test
  void givenTheServer_whenHealthIsRead_thenOneBodyAnswersEveryDialect() {
    Resp h = app.get("/health", null);
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.body().fieldNames()).toIterable().containsExactly("status", "ok", "service",
        "timestamp", "checks", "details");
    assertThat(h.text("status")).isEqualTo("ok");
    assertThat(h.body().path("ok").isBoolean()).isTrue();
    assertThat(h.body().path("ok").asBoolean()).isTrue();
    assertThat(h.text("service")).isEqualTo("interlock");
    assertThat(Instant.parse(h.text("timestamp"))).isCloseTo(Instant.now(),
        org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
    assertThat(h.body().path("checks").path("database").asText()).isEqualTo("ok");
    assertThat(h.body().path("details").has("temporalMode")).isTrue();
  }
}
