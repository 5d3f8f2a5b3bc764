package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's labels, projects and goals end to end over HTTP: shapes as Loop's document names
 * them, defaults, partial updates, soft deletion, links between projects and goals, issue
 * counts, pagination, validation and workspaces.
 */
class LoopProjectsGoalsLabelsTest {

  static final List<String> PROJECT_FIELDS = List.of("id", "name", "description", "status",
      "health", "goalId", "createdAt", "updatedAt", "deletedAt");
  static final List<String> GOAL_FIELDS = List.of("id", "title", "description", "metric",
      "targetValue", "currentValue", "unit", "status", "projectId", "createdAt", "updatedAt",
      "deletedAt");
  static final List<String> LABEL_FIELDS = List.of("id", "name", "color", "createdAt",
      "deletedAt");

  @TempDir static Path data;
  static TestApp app;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static String workspace() {
    return app.keyFor("loop-ws-" + UUID.randomUUID(), Set.of("loop:read", "loop:write"));
  }

  private static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Resp patch(String path, String key, Object body) {
    try {
      return app.send(app.builder(path, key).header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode created(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    assertThat(fields(r.body())).containsExactly("data");
    return r.body().path("data");
  }

  private static List<String> ids(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.path("id").asText())
        .toList();
  }

  private static List<String> fields(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void assertError(Resp r, int status, String message) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
    assertThat(fields(r.body())).containsExactly("error");
    if (message != null) {
      assertThat(r.text("error")).isEqualTo(message);
    }
  }

  // ---- labels ---------------------------------------------------------------------------------

  @Test
  void givenLabels_whenCreatedListedAndDeleted_thenShapesNamesUniqueAndDeletionSoft() {
    String key = workspace();
    JsonNode frontend = created(app.post("/api/labels", key,
        body("name", "frontend", "color", "#ff6b6b")));
    assertThat(fields(frontend)).containsExactlyInAnyOrderElementsOf(LABEL_FIELDS);
    assertThat(frontend.path("id").asText()).startsWith("lbl_");
    assertThat(frontend.path("color").asText()).isEqualTo("#ff6b6b");
    assertThat(frontend.path("deletedAt").isNull()).isTrue();
    String backend = created(app.post("/api/labels", key, body("name", "backend", "color", "b")))
        .path("id").asText();
    String ops = created(app.post("/api/labels", key, body("name", "ops", "color", "o")))
        .path("id").asText();

    Resp list = app.get("/api/labels", key);
    assertThat(fields(list.body())).containsExactly("data", "total");
    assertThat(ids(list.body().path("data")))
        .containsExactly(ops, backend, frontend.path("id").asText());
    assertThat(list.body().path("total").asLong()).isEqualTo(3);
    assertThat(ids(app.get("/api/labels?page=2&limit=2", key).body().path("data")))
        .containsExactly(frontend.path("id").asText());
    assertThat(ids(app.get("/api/labels?limit=1&offset=1", key).body().path("data")))
        .containsExactly(backend);

    assertError(app.post("/api/labels", key, body("name", "FRONTEND", "color", "x")), 409,
        "Label name already exists");
    assertError(app.post("/api/labels", key, body("name", "x".repeat(101), "color", "x")), 422,
        "name must be at most 100 characters");
    assertError(app.post("/api/labels", key, body("name", "n", "color", "c".repeat(51))), 422,
        "color must be at most 50 characters");
    assertError(app.post("/api/labels", key, body("name", "n")), 422, "color is required");
    assertError(app.post("/api/labels", key, body("name", "", "color", "c")), 422,
        "name must not be empty");
    assertError(app.get("/api/labels?limit=abc", key), 400, "limit must be a whole number");

    String issue = created(app.post("/api/issues", key, body("title", "t", "type", "task",
        "labelIds", List.of(frontend.path("id").asText(), backend)))).path("id").asText();
    assertThat(app.delete("/api/labels/" + frontend.path("id").asText(), key).status())
        .isEqualTo(204);
    assertError(app.delete("/api/labels/" + frontend.path("id").asText(), key), 404,
        "Label not found");
    assertThat(ids(app.get("/api/labels", key).body().path("data"))).containsExactly(ops, backend);
    assertThat(ids(app.get("/api/issues/" + issue, key).body().path("data").path("labels")))
        .containsExactly(backend);
    assertThat(app.get("/api/issues?labelId=" + frontend.path("id").asText(), key).body()
        .path("total").asLong()).isZero();
    assertError(app.post("/api/issues", key, body("title", "t", "type", "task", "labelIds",
        List.of(frontend.path("id").asText()))), 422,
        "Label not found: " + frontend.path("id").asText());
    // The name is free again once its label is deleted.
    created(app.post("/api/labels", key, body("name", "Frontend", "color", "x")));

    String other = workspace();
    assertError(app.delete("/api/labels/" + backend, other), 404, "Label not found");
    assertThat(app.get("/api/labels", other).body().path("total").asLong()).isZero();
    assertThat(created(app.post("/api/labels", other, body("name", "backend", "color", "b")))
        .path("name").asText()).as("names are per workspace").isEqualTo("backend");
  }

  // ---- projects -------------------------------------------------------------------------------

  @Test
  void givenProject_whenCreatedReadPatchedAndDeleted_thenDefaultsGoalAndIssueCountsAreRight() {
    String key = workspace();
    JsonNode project = created(app.post("/api/projects", key, body("name", "Auth Reliability")));
    assertThat(fields(project)).containsExactlyInAnyOrderElementsOf(PROJECT_FIELDS);
    assertThat(project.path("id").asText()).startsWith("proj_");
    assertThat(project.path("status").asText()).isEqualTo("backlog");
    assertThat(project.path("health").asText()).isEqualTo("on_track");
    assertThat(project.path("description").isNull()).isTrue();
    assertThat(project.path("goalId").isNull()).isTrue();
    String id = project.path("id").asText();
    String path = "/api/projects/" + id;

    for (String status : List.of("todo", "todo", "in_progress", "done")) {
      created(app.post("/api/issues", key, body("title", "t", "type", "task", "status", status,
          "projectId", id)));
    }
    String deleted = created(app.post("/api/issues", key, body("title", "t", "type", "task",
        "status", "todo", "projectId", id))).path("id").asText();
    app.delete("/api/issues/" + deleted, key);
    created(app.post("/api/issues", key, body("title", "elsewhere", "type", "task")));

    JsonNode detail = app.get(path, key).body().path("data");
    List<String> detailFields = new ArrayList<>(PROJECT_FIELDS);
    detailFields.addAll(List.of("goal", "issueCounts"));
    assertThat(fields(detail)).containsExactlyInAnyOrderElementsOf(detailFields);
    assertThat(detail.path("goal").isNull()).isTrue();
    JsonNode counts = detail.path("issueCounts");
    assertThat(fields(counts)).containsExactly("triage", "backlog", "todo", "in_progress", "done",
        "canceled");
    assertThat(counts.path("todo").asInt()).isEqualTo(2);
    assertThat(counts.path("in_progress").asInt()).isEqualTo(1);
    assertThat(counts.path("done").asInt()).isEqualTo(1);
    assertThat(counts.path("triage").asInt()).isZero();

    JsonNode goal = created(app.post("/api/goals", key, body("title", "Fewer failures")));
    JsonNode patched = patch(path, key, body("health", "at_risk", "goalId",
        goal.path("id").asText(), "description", "Improve auth")).body().path("data");
    assertThat(fields(patched)).containsExactlyInAnyOrderElementsOf(PROJECT_FIELDS);
    assertThat(patched.path("health").asText()).isEqualTo("at_risk");
    assertThat(patched.path("name").asText()).isEqualTo("Auth Reliability");
    assertThat(patched.path("status").asText()).isEqualTo("backlog");
    assertThat(patched.path("goalId").asText()).isEqualTo(goal.path("id").asText());
    assertThat(Instant.parse(patched.path("updatedAt").asText()))
        .isAfter(Instant.parse(project.path("updatedAt").asText()));
    JsonNode withGoal = app.get(path, key).body().path("data");
    assertThat(withGoal.path("goal").path("id").asText()).isEqualTo(goal.path("id").asText());
    assertThat(fields(withGoal.path("goal"))).containsExactlyInAnyOrderElementsOf(GOAL_FIELDS);
    assertThat(patch(path, key, body("goalId", null)).body().path("data").path("goalId").isNull())
        .isTrue();

    assertError(patch(path, key, body("goalId", "goal_nope")), 422, "Goal not found");
    assertError(app.post("/api/projects", key, body("name", "p", "goalId", "goal_nope")), 422,
        "Goal not found");
    assertError(patch(path, key, body("status", "done")), 422,
        "status must be one of backlog, planned, active, paused, completed, canceled");
    assertError(patch(path, key, body("health", "fine")), 422,
        "health must be one of on_track, at_risk, off_track");
    assertError(app.post("/api/projects", key, body("name", "x".repeat(501))), 422,
        "name must be at most 500 characters");
    assertError(app.post("/api/projects", key, body("description", "no name")), 422,
        "name is required");
    assertError(patch("/api/projects/proj_nope", key, body("name", "x")), 404,
        "Project not found");

    String other = workspace();
    assertError(app.get(path, other), 404, "Project not found");
    assertError(patch(path, other, body("name", "x")), 404, "Project not found");
    assertError(app.delete(path, other), 404, "Project not found");

    assertThat(app.delete(path, key).status()).isEqualTo(204);
    assertError(app.get(path, key), 404, "Project not found");
    assertError(app.delete(path, key), 404, "Project not found");
    assertThat(app.get("/api/projects", key).body().path("total").asLong()).isZero();
    assertError(app.post("/api/issues", key, body("title", "t", "type", "task", "projectId", id)),
        422, "Project not found");
  }

  @Test
  void givenProjects_whenListed_thenNewestFirstAndPagedBothWays() {
    String key = workspace();
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(created(app.post("/api/projects", key, body("name", "p" + i, "status", "active")))
          .path("id").asText());
    }
    List<String> newestFirst = new ArrayList<>(made);
    java.util.Collections.reverse(newestFirst);
    Resp all = app.get("/api/projects", key);
    assertThat(fields(all.body())).containsExactly("data", "total");
    assertThat(ids(all.body().path("data"))).isEqualTo(newestFirst);
    assertThat(fields(all.body().path("data").get(0)))
        .containsExactlyInAnyOrderElementsOf(PROJECT_FIELDS);
    Resp page = app.get("/api/projects?page=2&limit=2", key);
    assertThat(ids(page.body().path("data"))).isEqualTo(newestFirst.subList(2, 4));
    assertThat(page.body().path("total").asLong()).isEqualTo(5);
    assertThat(ids(app.get("/api/projects?limit=3&offset=3", key).body().path("data")))
        .isEqualTo(newestFirst.subList(3, 5));
    assertError(app.get("/api/projects?page=0", key), 400, null);
  }

  // ---- goals ------------------------------------------------------------------------------------

  @Test
  void givenGoal_whenCreatedReadPatchedAndDeleted_thenEveryFieldAndTheProjectLinkBehave() {
    String key = workspace();
    String project = created(app.post("/api/projects", key, body("name", "P"))).path("id")
        .asText();
    JsonNode goal = created(app.post("/api/goals", key, body("title",
        "Reduce login failure rate to < 5%", "description", "Track auth failures",
        "metric", "login_failure_rate", "targetValue", 0.05, "currentValue", 0.18,
        "unit", "ratio", "projectId", project)));
    assertThat(fields(goal)).containsExactlyInAnyOrderElementsOf(GOAL_FIELDS);
    assertThat(goal.path("id").asText()).startsWith("goal_");
    assertThat(goal.path("status").asText()).isEqualTo("active");
    assertThat(goal.path("targetValue").asDouble()).isEqualTo(0.05);
    assertThat(goal.path("currentValue").asDouble()).isEqualTo(0.18);
    assertThat(goal.path("projectId").asText()).isEqualTo(project);
    String path = "/api/goals/" + goal.path("id").asText();

    JsonNode read = app.get(path, key).body().path("data");
    assertThat(read.path("metric").asText()).isEqualTo("login_failure_rate");
    assertThat(read.path("unit").asText()).isEqualTo("ratio");
    // The goal that names a project is that project's goal.
    assertThat(app.get("/api/projects/" + project, key).body().path("data").path("goal")
        .path("id").asText()).isEqualTo(goal.path("id").asText());

    JsonNode patched = patch(path, key, body("currentValue", 0.04, "status", "achieved",
        "unit", null, "projectId", null)).body().path("data");
    assertThat(fields(patched)).containsExactlyInAnyOrderElementsOf(GOAL_FIELDS);
    assertThat(patched.path("currentValue").asDouble()).isEqualTo(0.04);
    assertThat(patched.path("status").asText()).isEqualTo("achieved");
    assertThat(patched.path("unit").isNull()).isTrue();
    assertThat(patched.path("projectId").isNull()).isTrue();
    assertThat(patched.path("targetValue").asDouble()).isEqualTo(0.05);
    assertThat(patched.path("title").asText()).isEqualTo("Reduce login failure rate to < 5%");

    assertError(app.post("/api/goals", key, body("title", "")), 422, "title must not be empty");
    assertError(app.post("/api/goals", key, body("metric", "m")), 422, "title is required");
    assertError(app.post("/api/goals", key, body("title", "g", "targetValue", "five")), 422,
        "targetValue must be a number");
    assertError(app.post("/api/goals", key, body("title", "g", "status", "done")), 422,
        "status must be one of active, achieved, abandoned");
    assertError(app.post("/api/goals", key, body("title", "g", "projectId", "proj_nope")), 422,
        "Project not found");
    assertError(patch(path, key, body("title", "x".repeat(501))), 422,
        "title must be at most 500 characters");
    assertError(patch("/api/goals/goal_nope", key, body("title", "x")), 404, "Goal not found");

    String other = workspace();
    assertError(app.get(path, other), 404, "Goal not found");
    assertError(patch(path, other, body("title", "x")), 404, "Goal not found");
    assertError(app.delete(path, other), 404, "Goal not found");

    created(app.post("/api/goals", key, body("title", "second")));
    created(app.post("/api/goals", key, body("title", "third")));
    Resp list = app.get("/api/goals?limit=2", key);
    assertThat(fields(list.body())).containsExactly("data", "total");
    assertThat(list.body().path("data")).hasSize(2);
    assertThat(list.body().path("data").get(0).path("title").asText()).isEqualTo("third");
    assertThat(list.body().path("total").asLong()).isEqualTo(3);
    assertThat(app.get("/api/goals?page=2&limit=2", key).body().path("data").get(0)
        .path("id").asText()).isEqualTo(goal.path("id").asText());

    assertThat(app.delete(path, key).status()).isEqualTo(204);
    assertError(app.get(path, key), 404, "Goal not found");
    assertError(app.delete(path, key), 404, "Goal not found");
    assertThat(ids(app.get("/api/goals", key).body().path("data")))
        .doesNotContain(goal.path("id").asText()).hasSize(2);
  }
}
