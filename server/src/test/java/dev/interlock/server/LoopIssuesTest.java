package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.service.engine.Change;
import dev.interlock.server.service.engine.Engine;
import dev.interlock.server.service.engine.IssueService.IssueChanges;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Loop's issues end to end over HTTP: create, list (filters, both paginations), read with
 * family, partial update, soft delete, relations and comments, their shapes as Loop's
 * document names them, validation, scopes and workspaces; and the hooks other parts of the
 * engine use (issue activity, the reads prompts are built from).
 */
class LoopIssuesTest {

  static final List<String> ISSUE_FIELDS = List.of("id", "number", "title", "description",
      "type", "status", "priority", "parentId", "projectId", "signalSource", "signalPayload",
      "hypothesis", "agentSessionId", "agentSummary", "commits", "pullRequests",
      "requiresApproval", "completedAt", "createdAt", "updatedAt", "deletedAt");

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

  /** A key of a new, empty workspace that may read and write Loop. */
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
      String text = body instanceof String s ? s : JSON.writeValueAsString(body);
      return app.send(app.builder(path, key).header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(text)));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode create(String key, Object... kv) {
    Map<String, Object> b = body(kv);
    b.putIfAbsent("type", "task");
    Resp r = app.post("/api/issues", key, b);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
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

  // ---- create and read ----------------------------------------------------------------------

  @Test
  void givenMinimalBody_whenCreated_thenTheIssueHasEveryFieldOfLoopsSchemaWithItsDefaults() {
    String key = workspace();
    Resp r = app.post("/api/issues", key, body("title", "Investigate login failure spike",
        "type", "signal"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(fields(r.body())).containsExactly("data");
    JsonNode issue = r.body().path("data");
    assertThat(fields(issue)).containsExactlyInAnyOrderElementsOf(ISSUE_FIELDS);
    assertThat(issue.path("id").asText()).startsWith("iss_");
    assertThat(issue.path("number").asInt()).isEqualTo(1);
    assertThat(issue.path("status").asText()).isEqualTo("triage");
    assertThat(issue.path("priority").asInt()).isZero();
    assertThat(issue.path("type").asText()).isEqualTo("signal");
    for (String nullField : List.of("description", "parentId", "projectId", "signalSource",
        "signalPayload", "hypothesis", "agentSessionId", "agentSummary", "commits",
        "pullRequests", "completedAt", "deletedAt")) {
      assertThat(issue.path(nullField).isNull()).as(nullField).isTrue();
    }
    assertThat(Instant.parse(issue.path("createdAt").asText())).isNotNull();
    assertThat(issue.path("requiresApproval").asBoolean()).isFalse();
    assertThat(create(key, "title", "second").path("number").asInt()).isEqualTo(2);
  }

  @Test
  void givenFullBody_whenCreatedAndRead_thenEveryGivenFieldIsKept() {
    String key = workspace();
    String project = app.post("/api/projects", key, body("name", "Auth")).body().path("data")
        .path("id").asText();
    String label = app.post("/api/labels", key, body("name", "bug", "color", "#f00")).body()
        .path("data").path("id").asText();
    Map<String, Object> hypothesis = body("statement", "A new provider fixes it",
        "confidence", 0.75, "evidence", List.of("failures up 20%"),
        "validationCriteria", "below 5% in 30 days", "prediction", "about 2%");
    JsonNode issue = create(key, "title", "Hypothesis", "type", "hypothesis",
        "description", "why", "status", "todo", "priority", 2, "projectId", project,
        "signalSource", "posthog", "signalPayload", Map.of("event", "error_rate", "value", 0.22),
        "hypothesis", hypothesis, "labelIds", List.of(label, label), "requiresApproval", true);
    assertThat(issue.path("status").asText()).isEqualTo("todo");
    assertThat(issue.path("priority").asInt()).isEqualTo(2);
    assertThat(issue.path("projectId").asText()).isEqualTo(project);
    assertThat(issue.path("signalPayload").path("value").asDouble()).isEqualTo(0.22);
    assertThat(issue.path("hypothesis").path("confidence").asDouble()).isEqualTo(0.75);
    assertThat(issue.path("hypothesis").path("evidence").get(0).asText())
        .isEqualTo("failures up 20%");
    assertThat(issue.path("requiresApproval").asBoolean()).isTrue();

    JsonNode read = app.get("/api/issues/" + issue.path("id").asText(), key).body().path("data");
    assertThat(read.path("description").asText()).isEqualTo("why");
    assertThat(read.path("signalSource").asText()).isEqualTo("posthog");
    assertThat(ids(read.path("labels"))).as("a repeated label counts once")
        .containsExactly(label);
  }

  @Test
  void givenIssueWithFamily_whenRead_thenParentChildrenLabelsAndRelationsAreShownInLoopsShapes() {
    String key = workspace();
    JsonNode parent = create(key, "title", "plan", "type", "plan");
    String label = app.post("/api/labels", key, body("name", "ui", "color", "blue")).body()
        .path("data").path("id").asText();
    JsonNode child = create(key, "title", "child", "parentId", parent.path("id").asText(),
        "labelIds", List.of(label));
    JsonNode sibling = create(key, "title", "sibling", "parentId", parent.path("id").asText());
    JsonNode other = create(key, "title", "other");
    app.post("/api/issues/" + child.path("id").asText() + "/relations", key,
        body("type", "related", "relatedIssueId", other.path("id").asText()));

    JsonNode d = app.get("/api/issues/" + child.path("id").asText(), key).body().path("data");
    List<String> detailFields = new ArrayList<>(ISSUE_FIELDS);
    detailFields.addAll(List.of("parent", "children", "labels", "relations"));
    assertThat(fields(d)).containsExactlyInAnyOrderElementsOf(detailFields);
    assertThat(d.path("parent").path("id").asText()).isEqualTo(parent.path("id").asText());
    assertThat(fields(d.path("parent"))).containsExactlyInAnyOrderElementsOf(ISSUE_FIELDS);
    assertThat(d.path("children")).isEmpty();
    assertThat(fields(d.path("labels").get(0)))
        .containsExactlyInAnyOrder("id", "name", "color", "createdAt", "deletedAt");
    assertThat(d.path("labels").get(0).path("name").asText()).isEqualTo("ui");
    JsonNode relation = d.path("relations").get(0);
    assertThat(fields(relation))
        .containsExactlyInAnyOrder("id", "type", "issueId", "relatedIssueId", "createdAt");
    assertThat(relation.path("relatedIssueId").asText()).isEqualTo(other.path("id").asText());

    JsonNode p = app.get("/api/issues/" + parent.path("id").asText(), key).body().path("data");
    assertThat(p.path("parent").isNull()).isTrue();
    assertThat(ids(p.path("children")))
        .containsExactly(child.path("id").asText(), sibling.path("id").asText());
    assertThat(p.path("labels")).isEmpty();
    assertThat(p.path("relations")).isEmpty();
  }

  // ---- list ---------------------------------------------------------------------------------

  @Test
  void givenIssues_whenListed_thenNewestFirstNarrowedByEachFilterAndPagedBothWays() {
    String key = workspace();
    String project = app.post("/api/projects", key, body("name", "P")).body().path("data")
        .path("id").asText();
    String label = app.post("/api/labels", key, body("name", "bug", "color", "red")).body()
        .path("data").path("id").asText();
    String parent = create(key, "title", "parent", "type", "plan", "status", "backlog").path("id")
        .asText();
    String a = create(key, "title", "a", "type", "signal", "status", "triage", "priority", 1,
        "parentId", parent, "projectId", project, "labelIds", List.of(label)).path("id").asText();
    String b = create(key, "title", "b", "status", "todo", "priority", 2, "parentId", parent)
        .path("id").asText();
    String c = create(key, "title", "c", "status", "in_progress", "priority", 2, "projectId",
        project, "labelIds", List.of(label)).path("id").asText();
    create(workspace(), "title", "another workspace's");

    Resp all = app.get("/api/issues", key);
    assertThat(fields(all.body())).containsExactly("data", "total");
    assertThat(ids(all.body().path("data"))).containsExactly(c, b, a, parent);
    assertThat(all.body().path("total").asLong()).isEqualTo(4);
    assertThat(fields(all.body().path("data").get(0)))
        .containsExactlyInAnyOrderElementsOf(ISSUE_FIELDS);

    assertThat(ids(app.get("/api/issues?status=todo,in_progress", key).body().path("data")))
        .containsExactly(c, b);
    assertThat(ids(app.get("/api/issues?type=signal,plan", key).body().path("data")))
        .containsExactly(a, parent);
    assertThat(ids(app.get("/api/issues?projectId=" + project, key).body().path("data")))
        .containsExactly(c, a);
    assertThat(ids(app.get("/api/issues?labelId=" + label, key).body().path("data")))
        .containsExactly(c, a);
    assertThat(ids(app.get("/api/issues?priority=2", key).body().path("data")))
        .containsExactly(c, b);
    assertThat(ids(app.get("/api/issues?parentId=" + parent, key).body().path("data")))
        .containsExactly(b, a);
    Resp combined = app.get("/api/issues?type=task&labelId=" + label + "&priority=2", key);
    assertThat(ids(combined.body().path("data"))).containsExactly(c);
    assertThat(combined.body().path("total").asLong()).isEqualTo(1);
    assertThat(app.get("/api/issues?projectId=proj_unknown", key).body().path("total").asLong())
        .isZero();

    // Loop's document: page + limit; Loop's SDK: limit + offset (offset wins over page).
    Resp page2 = app.get("/api/issues?page=2&limit=3", key);
    assertThat(ids(page2.body().path("data"))).containsExactly(parent);
    assertThat(page2.body().path("total").asLong()).isEqualTo(4);
    assertThat(ids(app.get("/api/issues?limit=2&offset=1", key).body().path("data")))
        .containsExactly(b, a);
    assertThat(ids(app.get("/api/issues?page=2&limit=2&offset=0", key).body().path("data")))
        .containsExactly(c, b);
    assertThat(app.get("/api/issues?offset=10", key).body().path("data")).isEmpty();

    assertError(app.get("/api/issues?status=todo,open", key), 400,
        "status must be a comma-separated list of: triage, backlog, todo, in_progress, done,"
            + " canceled");
    assertError(app.get("/api/issues?type=bug", key), 400, null);
    assertError(app.get("/api/issues?priority=5", key), 400,
        "priority must be a whole number from 0 to 4");
    assertError(app.get("/api/issues?limit=0", key), 400, null);
    assertError(app.get("/api/issues?limit=201", key), 400, null);
    assertError(app.get("/api/issues?page=zero", key), 400, null);
    assertError(app.get("/api/issues?offset=-1", key), 400, null);
  }

  // ---- update and delete ------------------------------------------------------------------------

  @Test
  void givenPatch_whenPartial_thenOnlyGivenFieldsChangeAndDoneSetsCompletedAt() {
    String key = workspace();
    JsonNode issue = create(key, "title", "old", "description", "keep me", "status", "todo",
        "priority", 3, "signalSource", "github");
    String path = "/api/issues/" + issue.path("id").asText();

    Resp renamed = patch(path, key, body("title", "new"));
    assertThat(renamed.status()).isEqualTo(200);
    JsonNode r = renamed.body().path("data");
    assertThat(fields(r)).containsExactlyInAnyOrderElementsOf(ISSUE_FIELDS);
    assertThat(r.path("title").asText()).isEqualTo("new");
    assertThat(r.path("description").asText()).isEqualTo("keep me");
    assertThat(r.path("priority").asInt()).isEqualTo(3);
    assertThat(r.path("status").asText()).isEqualTo("todo");
    assertThat(r.path("signalSource").asText()).isEqualTo("github");
    assertThat(r.path("number").asInt()).isEqualTo(issue.path("number").asInt());
    assertThat(Instant.parse(r.path("updatedAt").asText()))
        .isAfter(Instant.parse(issue.path("updatedAt").asText()));

    JsonNode done = patch(path, key, body("status", "done", "agentSummary", "fixed")).body()
        .path("data");
    assertThat(done.path("status").asText()).isEqualTo("done");
    assertThat(done.path("completedAt").isTextual()).isTrue();
    assertThat(done.path("agentSummary").asText()).isEqualTo("fixed");
    JsonNode stillDone = patch(path, key, body("priority", 1)).body().path("data");
    assertThat(stillDone.path("completedAt").asText()).isEqualTo(done.path("completedAt").asText());
    JsonNode reopened = patch(path, key, body("status", "todo", "description", null,
        "commits", List.of(Map.of("sha", "abc123", "message", "fix")))).body().path("data");
    assertThat(reopened.path("completedAt").isNull()).isTrue();
    assertThat(reopened.path("description").isNull()).isTrue();
    assertThat(reopened.path("commits").get(0).path("sha").asText()).isEqualTo("abc123");
    assertThat(patch(path, key, Map.of()).body().path("data").path("title").asText())
        .isEqualTo("new");

    assertError(patch(path, key, body("priority", 5)), 422,
        "priority must be a whole number from 0 to 4");
    assertError(patch(path, key, body("title", "")), 422, "title must not be empty");
    assertError(patch(path, key, body("title", "x".repeat(501))), 422,
        "title must be at most 500 characters");
    assertError(patch(path, key, body("title", null)), 422, "title must be a string");
    assertError(patch(path, key, body("status", "open")), 422,
        "status must be one of triage, backlog, todo, in_progress, done, canceled");
    assertError(patch(path, key, body("hypothesis", Map.of("statement", "s"))), 422,
        "hypothesis.confidence is required");
    assertError(patch(path, key, body("commits", List.of(Map.of("sha", "x")))), 422,
        "each of commits needs message");
    // A null prediction is no prediction (Loop's HypothesisData has none that is null).
    JsonNode hyp = patch(path, key, body("hypothesis", new java.util.HashMap<>(Map.of(
        "statement", "s", "confidence", 0.5, "evidence", List.of(), "validationCriteria", "v"))
        {{ put("prediction", null); }})).body().path("data").path("hypothesis");
    assertThat(hyp.has("prediction")).as(hyp.toString()).isFalse();
    // Each field is of its schema's type (found by Schemathesis: an object as mergedAt).
    assertError(patch(path, key, body("pullRequests", List.of(Map.of("number", 1, "title", "t",
        "mergedAt", Map.of())))), 422, "pullRequests[].mergedAt must be a string or null");
    assertError(patch(path, key, body("pullRequests", List.of(Map.of("number", "1",
        "title", "t")))), 422, "pullRequests[].number must be a number");
    assertError(patch(path, key, body("commits", List.of(Map.of("sha", "a", "message", "m",
        "url", 5)))), 422, "commits[].url must be a string");
    assertError(patch(path, key, "[1]"), 400, "Request body must be a JSON object");
    assertError(patch(path, key, "{nope"), 400, "Malformed JSON body");
    assertError(patch("/api/issues/iss_unknown", key, body("title", "x")), 404,
        "Issue not found");
    assertThat(app.get(path, key).body().path("data").path("title").asText())
        .as("no refused PATCH changed anything").isEqualTo("new");
  }

  @Test
  void givenBadCreateBodies_thenUnprocessableOrBadRequestWithAMessageAndNothingStored() {
    String key = workspace();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("{\"type\":\"task\"}", "title is required");
    bad.put("{\"title\":\"t\"}", "type is required");
    bad.put("{\"title\":\"t\",\"type\":\"bug\"}",
        "type must be one of signal, hypothesis, plan, task, monitor");
    bad.put("{\"title\":\"\",\"type\":\"task\"}", "title must not be empty");
    bad.put("{\"title\":\"" + "x".repeat(501) + "\",\"type\":\"task\"}",
        "title must be at most 500 characters");
    bad.put("{\"title\":7,\"type\":\"task\"}", "title must be a string");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"priority\":1.5}",
        "priority must be a whole number from 0 to 4");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"priority\":\"high\"}",
        "priority must be a whole number from 0 to 4");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"signalPayload\":[1]}",
        "signalPayload must be a JSON object");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"labelIds\":\"lbl\"}",
        "labelIds must be an array of strings");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"labelIds\":[\"lbl_nope\"]}",
        "Label not found: lbl_nope");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"projectId\":\"proj_nope\"}",
        "Project not found");
    bad.put("{\"title\":\"t\",\"type\":\"task\",\"requiresApproval\":true}",
        "requiresApproval is for hypothesis and plan issues");
    bad.put("{\"title\":\"t\",\"type\":\"hypothesis\",\"hypothesis\":{\"statement\":\"s\","
        + "\"confidence\":2,\"evidence\":[],\"validationCriteria\":\"v\"}}",
        "hypothesis.confidence must be a number from 0 to 1");
    bad.forEach((text, message) -> assertError(app.post("/api/issues", key, text), 422, message));
    assertError(app.post("/api/issues", key, "{oops"), 400, "Malformed JSON body");
    assertError(app.post("/api/issues", key, ""), 400, "Request body must be a JSON object");
    assertThat(app.get("/api/issues", key).body().path("total").asLong()).isZero();
  }

  @Test
  void givenHierarchyViolations_whenCreatingOrPatching_thenUnprocessable() {
    String key = workspace();
    String top = create(key, "title", "top").path("id").asText();
    String child = create(key, "title", "child", "parentId", top).path("id").asText();
    String gone = create(key, "title", "gone").path("id").asText();
    app.delete("/api/issues/" + gone, key);
    String foreign = create(workspace(), "title", "foreign").path("id").asText();
    String loose = create(key, "title", "loose").path("id").asText();

    assertError(app.post("/api/issues", key, body("title", "x", "type", "task", "parentId", gone)),
        422, "Parent issue not found");
    assertError(app.post("/api/issues", key, body("title", "x", "type", "task", "parentId",
        foreign)), 422, "Parent issue not found");
    assertError(app.post("/api/issues", key, body("title", "x", "type", "task", "parentId",
        child)), 422, "The parent issue has a parent itself: issues nest one level deep");
    assertError(patch("/api/issues/" + loose, key, body("parentId", loose)), 422,
        "An issue cannot be its own parent");
    assertError(patch("/api/issues/" + top, key, body("parentId", loose)), 422,
        "An issue with children cannot have a parent: issues nest one level deep");
    assertError(patch("/api/issues/" + loose, key, body("parentId", child)), 422,
        "The parent issue has a parent itself: issues nest one level deep");
    assertError(patch("/api/issues/" + loose, key, body("projectId", "proj_nope")), 422,
        "Project not found");

    // Allowed: moving a leaf under another top-level issue, then back to the top.
    assertThat(patch("/api/issues/" + loose, key, body("parentId", top)).body().path("data")
        .path("parentId").asText()).isEqualTo(top);
    assertThat(patch("/api/issues/" + loose, key, body("parentId", null)).body().path("data")
        .path("parentId").isNull()).isTrue();
  }

  @Test
  void givenSoftDeletedIssue_thenItIs404EverywhereAndLeftOutOfListsAndFamilies() {
    String key = workspace();
    String parent = create(key, "title", "parent").path("id").asText();
    String doomed = create(key, "title", "doomed", "parentId", parent).path("id").asText();
    String path = "/api/issues/" + doomed;

    Resp deleted = app.delete(path, key);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.raw().body()).isEmpty();
    assertError(app.get(path, key), 404, "Issue not found");
    assertError(app.delete(path, key), 404, "Issue not found");
    assertError(patch(path, key, body("title", "back")), 404, "Issue not found");
    assertError(app.get(path + "/comments", key), 404, "Issue not found");
    assertError(app.post(path + "/comments", key, body("body", "b", "authorName", "a",
        "authorType", "human")), 404, "Issue not found");
    assertError(app.post(path + "/relations", key, body("type", "related", "relatedIssueId",
        parent)), 404, "Issue not found");
    assertThat(ids(app.get("/api/issues", key).body().path("data"))).containsExactly(parent);
    assertThat(app.get("/api/issues/" + parent, key).body().path("data").path("children"))
        .isEmpty();
    // Its number stays taken.
    assertThat(create(key, "title", "next").path("number").asInt()).isEqualTo(3);
    Integer stored = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from engine_issues where id = :id and deleted_at is not null")
        .bind("id", doomed).mapTo(Integer.class).one());
    assertThat(stored).as("soft: the row is kept").isOne();
  }

  // ---- relations ----------------------------------------------------------------------------------

  @Test
  void givenBlocks_whenCreated_thenTheOtherSideSeesBlockedByAndDeletingEitherSideRemovesBoth() {
    String key = workspace();
    String a = create(key, "title", "A").path("id").asText();
    String b = create(key, "title", "B").path("id").asText();
    String c = create(key, "title", "C").path("id").asText();

    Resp made = app.post("/api/issues/" + a + "/relations", key,
        body("type", "blocks", "relatedIssueId", b));
    assertThat(made.status()).isEqualTo(201);
    JsonNode rel = made.body().path("data");
    assertThat(fields(rel))
        .containsExactlyInAnyOrder("id", "type", "issueId", "relatedIssueId", "createdAt");
    assertThat(rel.path("id").asText()).startsWith("rel_");
    assertThat(rel.path("type").asText()).isEqualTo("blocks");
    assertThat(rel.path("issueId").asText()).isEqualTo(a);
    assertThat(rel.path("relatedIssueId").asText()).isEqualTo(b);

    JsonNode seenFromB = app.get("/api/issues/" + b, key).body().path("data").path("relations");
    assertThat(seenFromB).hasSize(1);
    assertThat(seenFromB.get(0).path("type").asText()).isEqualTo("blocked_by");
    assertThat(seenFromB.get(0).path("issueId").asText()).isEqualTo(b);
    assertThat(seenFromB.get(0).path("relatedIssueId").asText()).isEqualTo(a);

    assertError(app.post("/api/issues/" + a + "/relations", key,
        body("type", "blocks", "relatedIssueId", b)), 409, "The issues already have this relation");
    assertError(app.post("/api/issues/" + b + "/relations", key,
        body("type", "blocked_by", "relatedIssueId", a)), 409, null);
    // B blocks C; C blocking A would close the loop A → B → C → A.
    assertThat(app.post("/api/issues/" + c + "/relations", key,
        body("type", "blocked_by", "relatedIssueId", b)).status()).isEqualTo(201);
    assertError(app.post("/api/issues/" + c + "/relations", key,
        body("type", "blocks", "relatedIssueId", a)), 422,
        "The relation would make the issues block each other");
    assertError(app.post("/api/issues/" + a + "/relations", key,
        body("type", "blocked_by", "relatedIssueId", c)), 422, null);
    assertError(app.post("/api/issues/" + a + "/relations", key,
        body("type", "related", "relatedIssueId", a)), 422, "An issue cannot be related to itself");
    assertError(app.post("/api/issues/" + a + "/relations", key,
        body("type", "related", "relatedIssueId", "iss_nope")), 422, "Related issue not found");
    assertError(app.post("/api/issues/" + a + "/relations", key,
        body("type", "parent_of", "relatedIssueId", b)), 422,
        "type must be one of blocks, blocked_by, related, duplicate");
    assertError(app.post("/api/issues/" + a + "/relations", key, body("type", "related")), 422,
        "relatedIssueId is required");
    assertError(app.post("/api/issues/iss_nope/relations", key,
        body("type", "related", "relatedIssueId", b)), 404, "Issue not found");

    // Deleting B's side removes A's too.
    String bSide = seenFromB.get(0).path("id").asText();
    assertThat(app.delete("/api/relations/" + bSide, key).status()).isEqualTo(204);
    assertThat(app.get("/api/issues/" + a, key).body().path("data").path("relations")).isEmpty();
    assertThat(ids(app.get("/api/issues/" + b, key).body().path("data").path("relations")))
        .hasSize(1).doesNotContain(bSide);
    assertError(app.delete("/api/relations/" + bSide, key), 404, "Relation not found");
    assertError(app.delete("/api/relations/" + rel.path("id").asText(), key), 404,
        "Relation not found");
    // With the loop gone, C may block A.
    assertThat(app.post("/api/issues/" + c + "/relations", key,
        body("type", "blocks", "relatedIssueId", a)).status()).isEqualTo(201);
  }

  // ---- comments -----------------------------------------------------------------------------------

  @Test
  void givenCommentsAndReplies_whenListed_thenThreadedWithEveryReplyUnderItsTopLevelComment() {
    String key = workspace();
    String issue = create(key, "title", "t").path("id").asText();
    String path = "/api/issues/" + issue + "/comments";

    Resp first = app.post(path, key, body("body", "Investigated the auth logs",
        "authorName", "claude-agent", "authorType", "agent"));
    assertThat(first.status()).isEqualTo(201);
    JsonNode c1 = first.body().path("data");
    assertThat(fields(c1)).containsExactlyInAnyOrder("id", "body", "issueId", "authorName",
        "authorType", "parentId", "createdAt");
    assertThat(c1.path("id").asText()).startsWith("cmt_");
    assertThat(c1.path("issueId").asText()).isEqualTo(issue);
    assertThat(c1.path("parentId").isNull()).isTrue();
    String reply = app.post(path, key, body("body", "Thanks", "authorName", "ann",
        "authorType", "human", "parentId", c1.path("id").asText())).body().path("data")
        .path("id").asText();
    String replyToReply = app.post(path, key, body("body", "Welcome", "authorName", "bot",
        "authorType", "agent", "parentId", reply)).body().path("data").path("id").asText();
    String second = app.post(path, key, body("body", "Another", "authorName", "ann",
        "authorType", "human")).body().path("data").path("id").asText();

    Resp list = app.get(path, key);
    assertThat(fields(list.body())).containsExactly("data");
    JsonNode threads = list.body().path("data");
    assertThat(ids(threads)).containsExactly(c1.path("id").asText(), second);
    assertThat(fields(threads.get(0))).contains("replies", "authorName", "body");
    assertThat(ids(threads.get(0).path("replies"))).containsExactly(reply, replyToReply);
    assertThat(threads.get(0).path("replies").get(1).path("parentId").asText()).isEqualTo(reply);
    assertThat(threads.get(1).path("replies")).isEmpty();

    String otherIssue = create(key, "title", "o").path("id").asText();
    assertError(app.post("/api/issues/" + otherIssue + "/comments", key, body("body", "x",
        "authorName", "a", "authorType", "human", "parentId", reply)), 422,
        "Parent comment not found");
    assertError(app.post(path, key, body("body", "", "authorName", "a", "authorType", "human")),
        422, "body must not be empty");
    assertError(app.post(path, key, body("body", "x", "authorType", "human")), 422,
        "authorName is required");
    assertError(app.post(path, key, body("body", "x", "authorName", "a", "authorType", "robot")),
        422, "authorType must be one of human, agent");
    assertError(app.get("/api/issues/iss_nope/comments", key), 404, "Issue not found");
  }

  // ---- who may ---------------------------------------------------------------------------------

  @Test
  void givenNoKeyOrAReadOnlyKey_thenReadsAndWritesAreRefusedAsTheScopesSay() {
    String reader = app.post("/api/keys", ADMIN_KEY,
        Map.of("name", "loop reader", "scopes", List.of("loop:read"))).text("key");
    assertThat(reader).isNotBlank();
    String issue = create(ADMIN_KEY, "title", "admin's").path("id").asText();
    String path = "/api/issues/" + issue;

    for (Resp r : List.of(app.get("/api/issues", null), app.get(path, null),
        app.post("/api/issues", null, body("title", "t", "type", "task")),
        patch(path, null, body("title", "x")), app.delete(path, null),
        app.get(path + "/comments", null), app.get("/api/labels", null),
        app.get("/api/projects", null), app.get("/api/goals", null),
        app.delete("/api/relations/rel_x", null))) {
      assertThat(r.status()).as(r.raw().request().uri().toString()).isEqualTo(401);
      assertThat(fields(r.body())).containsExactly("error");
    }

    assertThat(app.get("/api/issues", reader).status()).isEqualTo(200);
    assertThat(app.get(path, reader).status()).isEqualTo(200);
    assertThat(app.get(path + "/comments", reader).status()).isEqualTo(200);
    for (Resp r : List.of(app.post("/api/issues", reader, body("title", "t", "type", "task")),
        patch(path, reader, body("title", "x")), app.delete(path, reader),
        app.post(path + "/comments", reader, body("body", "b", "authorName", "a",
            "authorType", "human")),
        app.post(path + "/relations", reader, body("type", "related", "relatedIssueId", issue)),
        app.delete("/api/relations/rel_x", reader),
        app.post("/api/labels", reader, body("name", "n", "color", "c")),
        app.post("/api/projects", reader, body("name", "n")),
        app.post("/api/goals", reader, body("title", "n")))) {
      assertThat(r.status()).as(r.raw().request().uri().toString()).isEqualTo(403);
      assertThat(fields(r.body())).containsExactly("error");
    }
    assertThat(app.get(path, ADMIN_KEY).body().path("data").path("title").asText())
        .isEqualTo("admin's");
    // A key for other products only may not touch Loop at all.
    String agentGateOnly = app.keyFor("loop-ws-" + UUID.randomUUID());
    assertThat(app.get("/api/issues", agentGateOnly).status()).isEqualTo(403);
  }

  @Test
  void givenAnotherWorkspacesIds_thenEveryOperationAnswers404AndListsShowNothingOfIt() {
    String mine = workspace();
    String theirs = workspace();
    String issue = create(theirs, "title", "theirs").path("id").asText();
    String target = create(theirs, "title", "target").path("id").asText();
    String relation = app.post("/api/issues/" + issue + "/relations", theirs,
        body("type", "related", "relatedIssueId", target)).body().path("data").path("id").asText();
    String myIssue = create(mine, "title", "mine").path("id").asText();

    assertError(app.get("/api/issues/" + issue, mine), 404, "Issue not found");
    assertError(patch("/api/issues/" + issue, mine, body("title", "x")), 404, "Issue not found");
    assertError(app.delete("/api/issues/" + issue, mine), 404, "Issue not found");
    assertError(app.get("/api/issues/" + issue + "/comments", mine), 404, "Issue not found");
    assertError(app.post("/api/issues/" + issue + "/comments", mine, body("body", "b",
        "authorName", "a", "authorType", "human")), 404, "Issue not found");
    assertError(app.post("/api/issues/" + issue + "/relations", mine,
        body("type", "related", "relatedIssueId", myIssue)), 404, "Issue not found");
    assertError(app.post("/api/issues/" + myIssue + "/relations", mine,
        body("type", "related", "relatedIssueId", issue)), 422, "Related issue not found");
    assertError(app.delete("/api/relations/" + relation, mine), 404, "Relation not found");
    assertThat(ids(app.get("/api/issues", mine).body().path("data"))).containsExactly(myIssue);
    assertThat(app.get("/api/issues/" + issue, theirs).body().path("data").path("relations"))
        .as("untouched").hasSize(1);
  }

  // ---- hooks for the rest of the engine ----------------------------------------------------------

  @Test
  void givenAnActivityListener_whenIssuesArePatchedCommentedAndDeleted_thenItHearsEachOnce() {
    Engine engine = app.engine();
    List<String> heard = new ArrayList<>();
    engine.onIssueActivity((owner, issueId, how) -> heard.add(owner + " " + issueId + " " + how));
    engine.onIssueActivity((owner, issueId, how) -> {
      throw new IllegalStateException("a failing listener changes nothing");
    });
    String owner = "loop-ws-" + UUID.randomUUID();
    IssueRow issue = engine.issues().create(owner, new dev.interlock.server.service.engine
        .IssueService.NewIssueCommand("t", null, "task", "todo", 0, null, null, null, null, null,
        List.of(), false));
    String id = issue.id();
    IssueChanges nothing = new IssueChanges(null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null);
    engine.issues().update(owner, id, nothing);
    engine.issues().update(owner, id, new IssueChanges(null, Change.to("d"), null, "done", null,
        null, null, null, null, null, null, null, null, null, null));
    engine.issues().comment(owner, id, "still here", "agent", "agent", null);
    engine.issues().delete(owner, id);

    assertThat(heard).containsExactly(owner + " " + id + " created", owner + " " + id + " patch",
        owner + " " + id + " patch", owner + " " + id + " status:done",
        owner + " " + id + " comment", owner + " " + id + " deleted");
  }

  @Test
  void givenAnIssueInAFamilyWithBlockers_whenThePromptReadsAreAsked_thenEachAnswersItsRows() {
    String key = workspace();
    String project = app.post("/api/projects", key, body("name", "P", "status", "active"))
        .body().path("data").path("id").asText();
    String goal = app.post("/api/goals", key, body("title", "G", "projectId", project)).body()
        .path("data").path("id").asText();
    String label = app.post("/api/labels", key, body("name", "backend", "color", "green"))
        .body().path("data").path("id").asText();
    String parent = create(key, "title", "parent", "type", "plan").path("id").asText();
    JsonNode issue = create(key, "title", "me", "parentId", parent, "projectId", project,
        "labelIds", List.of(label));
    String me = issue.path("id").asText();
    String sibling = create(key, "title", "sibling", "parentId", parent).path("id").asText();
    String openBlocker = create(key, "title", "open blocker").path("id").asText();
    String doneBlocker = create(key, "title", "done blocker", "status", "done").path("id")
        .asText();
    String blocked = create(key, "title", "waits on me").path("id").asText();
    app.post("/api/issues/" + openBlocker + "/relations", key,
        body("type", "blocks", "relatedIssueId", me));
    app.post("/api/issues/" + me + "/relations", key,
        body("type", "blocked_by", "relatedIssueId", doneBlocker));
    app.post("/api/issues/" + me + "/relations", key,
        body("type", "blocks", "relatedIssueId", blocked));
    app.post("/api/issues/" + me + "/comments", key,
        body("body", "note", "authorName", "a", "authorType", "agent"));

    Engine engine = app.engine();
    var issues = engine.issues();
    String owner = app.jdbi().withHandle(h -> h.createQuery(
        "select owner_id from engine_issues where id = :id").bind("id", me)
        .mapTo(String.class).one());
    IssueRow row = issues.get(owner, me);
    assertThat(issues.parent(row)).map(IssueRow::id).contains(parent);
    assertThat(issues.siblings(row)).extracting(IssueRow::id).containsExactly(sibling);
    assertThat(issues.children(issues.get(owner, parent))).extracting(IssueRow::id)
        .containsExactly(me, sibling);
    assertThat(issues.labels(owner, me)).extracting(l -> l.name()).containsExactly("backend");
    assertThat(issues.blockers(row)).extracting(IssueRow::id).containsExactly(openBlocker);
    assertThat(issues.blockedBy(row)).extracting(IssueRow::id)
        .containsExactlyInAnyOrder(openBlocker, doneBlocker);
    assertThat(issues.blocking(row)).extracting(IssueRow::id).containsExactly(blocked);
    assertThat(issues.comments(owner, me)).extracting(c -> c.body()).containsExactly("note");
    assertThat(issues.project(row)).map(p -> p.id()).contains(project);
    assertThat(issues.goal(row)).map(g -> g.id()).contains(goal);
    assertThat(issues.relations(row)).hasSize(3);
    assertThat(issues.unblockedBy(row)).as("'waits on me' has this open blocker").isEmpty();

    patch("/api/issues/" + me, key, body("status", "done"));
    assertThat(issues.unblockedBy(issues.get(owner, me))).extracting(IssueRow::id)
        .containsExactly(blocked);
    Map<String, Boolean> blockedNow = new HashMap<>();
    for (String id : List.of(me, blocked)) {
      blockedNow.put(id, !issues.blockers(issues.get(owner, id)).isEmpty());
    }
    assertThat(blockedNow).containsEntry(me, true).containsEntry(blocked, false);
  }
}
