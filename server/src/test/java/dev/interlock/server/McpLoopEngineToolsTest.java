package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's own MCP tools on {@code /mcp} with the SDK's client over Streamable HTTP: each with
 * good arguments (its result against what REST answers for the same object), bad ones (a
 * tool error in REST's words), and keys without the scope it needs. Each test works in its
 * own workspace.
 */
class McpLoopEngineToolsTest {

  static final List<String> SUMMARY = List.of("id", "number", "title", "type", "status",
      "priority");
  static final List<String> WRITING = List.of("loop_create_issue", "loop_update_issue",
      "loop_create_comment", "loop_ingest_signal", "loop_get_next_task", "loop_complete_task");
  static final List<String> READING = List.of("loop_get_issue", "loop_list_issues",
      "loop_get_dashboard");

  @TempDir static Path data;
  static TestApp app;
  static final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    clients.forEach(McpSyncClient::closeGracefully);
    if (app != null) {
      app.close();
    }
  }

  /** A new workspace: its owner's key (with {@code scopes}) and an MCP client of it. */
  record Ws(String owner, String key, McpSyncClient mcp) {}

  static Ws workspace(String... scopes) {
    String owner = "mcp-loop-ws-" + UUID.randomUUID();
    return in(owner, scopes);
  }

  static Ws in(String owner, String... scopes) {
    String key = app.keyFor(owner, Set.of(scopes));
    McpSyncClient client = McpClients.connect(app, key);
    clients.add(client);
    return new Ws(owner, key, client);
  }

  static Ws writer() {
    return workspace("loop:read", "loop:write");
  }

  static Map<String, Object> args(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static JsonNode tool(Ws ws, String name, Object... kv) {
    CallToolResult r = call(ws.mcp(), name, args(kv));
    JsonNode out = ok(r);
    JsonNode structured = TestApp.JSON.valueToTree(r.structuredContent());
    assertThat(structured).as("structuredContent").isEqualTo(out);
    return out;
  }

  static String failure(Ws ws, String name, Object... kv) {
    return error(call(ws.mcp(), name, args(kv)));
  }

  static JsonNode rest(Ws ws, String path) {
    Resp r = app.get(path, ws.key());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.body().path("data");
  }

  static JsonNode restPost(Ws ws, String path, Object... kv) {
    Resp r = app.post(path, ws.key(), args(kv));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body().path("data");
  }

  static JsonNode restIssue(Ws ws, Object... kv) {
    Map<String, Object> b = args(kv);
    b.putIfAbsent("type", "task");
    Resp r = app.post("/api/issues", ws.key(), b);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body().path("data");
  }

  static ObjectNode pick(JsonNode view, List<String> fields) {
    ObjectNode out = TestApp.JSON.createObjectNode();
    fields.forEach(f -> out.set(f, view.get(f)));
    return out;
  }

  static List<String> fields(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> ids(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.path("id").asText())
        .toList();
  }

  static String notFound(String message) {
    assertThat(message).isEqualTo(
        "Issue not found. Use loop_list_issues to find valid issue IDs.");
    return message;
  }

  // ---- dispatch ----------------------------------------------------------------------------

  @Test
  void givenTodoIssues_whenLoopGetNextTaskThenLoopCompleteTask_thenClaimedDoneAndUnblockedNamed() {
    Ws ws = writer();
    CallToolResult empty = call(ws.mcp(), "loop_get_next_task", args());
    assertThat(empty.isError()).isFalse();
    assertThat(((McpSchema.TextContent) empty.content().get(0)).text())
        .isEqualTo("No tasks available. The dispatch queue is empty.");

    JsonNode first = restIssue(ws, "title", "Fix the login race", "status", "todo",
        "priority", 1);
    JsonNode second = restIssue(ws, "title", "Release 2.1", "status", "todo", "priority", 4);
    restPost(ws, "/api/issues/" + second.path("id").asText() + "/relations", "type",
        "blocked_by", "relatedIssueId", first.path("id").asText());

    JsonNode next = tool(ws, "loop_get_next_task");
    assertThat(fields(next.path("issue")))
        .containsExactly("id", "number", "title", "type", "priority", "status");
    assertThat(next.path("issue").path("id").asText()).isEqualTo(first.path("id").asText());
    assertThat(next.path("issue").path("status").asText()).isEqualTo("in_progress");
    assertThat(next.path("prompt").asText()).contains("Fix the login race")
        .doesNotContain(ws.key());
    assertThat(next.path("meta").path("templateSlug").asText()).isEqualTo("task-execution");
    assertThat(next.path("lease").path("issueId").asText()).isEqualTo(first.path("id").asText());
    // The blocked one is not claimable yet.
    assertThat(((McpSchema.TextContent) call(ws.mcp(), "loop_get_next_task", args())
        .content().get(0)).text()).startsWith("No tasks available");

    JsonNode done = tool(ws, "loop_complete_task", "issueId", first.path("id").asText(),
        "outcome", "Fixed: the session cache is now per request.");
    JsonNode restView = rest(ws, "/api/issues/" + first.path("id").asText());
    fields(done.path("issue")).forEach(f ->
        assertThat(done.path("issue").get(f)).as(f).isEqualTo(restView.get(f)));
    assertThat(done.path("issue").path("status").asText()).isEqualTo("done");
    assertThat(done.path("comment").path("body").asText())
        .isEqualTo("Fixed: the session cache is now per request.");
    assertThat(done.path("comment").path("authorType").asText()).isEqualTo("agent");
    assertThat(ids(done.path("unblockedIssues"))).containsExactly(second.path("id").asText());
    // The claim's lease ended as completed, and the unblocked issue is next.
    String outcome = app.jdbi().withHandle(h -> h.createQuery(
        "select outcome from engine_dispatches where issue_id = :id")
        .bind("id", first.path("id").asText()).mapTo(String.class).one());
    assertThat(outcome).isEqualTo("completed");
    assertThat(tool(ws, "loop_get_next_task").path("issue").path("id").asText())
        .isEqualTo(second.path("id").asText());
  }

  @Test
  void givenBadArguments_whenLoopCompleteTask_thenToolErrorsAndTheIssueIsUnchanged() {
    Ws ws = writer();
    JsonNode issue = restIssue(ws, "title", "Keep me", "status", "todo");
    String id = issue.path("id").asText();
    notFound(failure(ws, "loop_complete_task", "issueId", "iss_nope", "outcome", "x"));
    assertThat(failure(ws, "loop_complete_task", "issueId", id)).isEqualTo("outcome is required");
    assertThat(failure(ws, "loop_complete_task", "outcome", "x")).isEqualTo("issueId is required");
    assertThat(rest(ws, "/api/issues/" + id).path("status").asText()).isEqualTo("todo");
    assertThat(failure(ws, "loop_get_next_task", "projectId", 5))
        .isEqualTo("projectId must be a string");
  }

  // ---- the list and the instructions ---------------------------------------------------

  @Test
  void givenTheServer_whenToolsListed_thenLoopsSevenToolsWithTheirArgumentsAndHints() {
    Ws ws = writer();
    Map<String, McpSchema.Tool> tools = new LinkedHashMap<>();
    ws.mcp().listTools().tools().forEach(t -> tools.put(t.name(), t));
    assertThat(tools).containsKeys("loop_create_issue", "loop_update_issue", "loop_get_issue",
        "loop_list_issues", "loop_create_comment", "loop_ingest_signal", "loop_get_dashboard");
    assertThat(tools).containsKeys("loop_get_next_task", "loop_complete_task");
    Map<String, List<String>> properties = Map.of(
        "loop_create_issue", List.of("title", "type", "priority", "projectId", "description",
            "parentId"),
        "loop_update_issue", List.of("issueId", "status", "priority", "type", "title",
            "description"),
        "loop_get_issue", List.of("issueId"),
        "loop_list_issues", List.of("status", "type", "projectId", "limit", "offset"),
        "loop_create_comment", List.of("issueId", "body"),
        "loop_ingest_signal", List.of("source", "type", "severity", "payload", "projectId"),
        "loop_get_dashboard", List.of());
    Map<String, List<String>> required = Map.of(
        "loop_create_issue", List.of("title"), "loop_update_issue", List.of("issueId"),
        "loop_get_issue", List.of("issueId"), "loop_list_issues", List.of(),
        "loop_create_comment", List.of("issueId", "body"),
        "loop_ingest_signal", List.of("source", "type", "payload"),
        "loop_get_dashboard", List.of());
    properties.forEach((name, props) -> {
      McpSchema.Tool t = tools.get(name);
      JsonNode schema = TestApp.JSON.valueToTree(t.inputSchema());
      assertThat(fields(schema.path("properties"))).as(name).containsExactlyElementsOf(props);
      List<String> req = new ArrayList<>();
      schema.path("required").forEach(r -> req.add(r.asText()));
      assertThat(req).as(name).containsExactlyElementsOf(required.get(name));
      assertThat(t.annotations().readOnlyHint()).as(name)
          .isEqualTo(READING.contains(name));
      assertThat(t.description()).as(name).isNotBlank();
    });
    assertThat(TestApp.JSON.valueToTree(tools.get("loop_update_issue").inputSchema())
        .path("properties").path("status").path("enum").toString())
        .isEqualTo("[\"triage\",\"backlog\",\"todo\",\"in_progress\",\"done\",\"canceled\"]");
    assertThat(ws.mcp().getServerInstructions()).contains("loop_create_issue",
        "loop_get_dashboard", "Loop's improvement engine");
  }

  // ---- loop_create_issue -----------------------------------------------------------------

  @Test
  void givenOnlyATitle_whenLoopCreateIssue_thenATriagedTaskOfPriority0AsRestShowsIt() {
    Ws ws = writer();
    JsonNode created = tool(ws, "loop_create_issue", "title", "Checkout is slow");
    assertThat(fields(created)).containsExactlyElementsOf(SUMMARY);
    assertThat(created.path("id").asText()).startsWith("iss_");
    assertThat(created.path("number").asInt()).isEqualTo(1);
    assertThat(created.path("type").asText()).isEqualTo("task");
    assertThat(created.path("priority").asInt()).isZero();
    assertThat(created.path("status").asText()).isEqualTo("triage");
    JsonNode rest = rest(ws, "/api/issues/" + created.path("id").asText());
    assertThat(created).isEqualTo(pick(rest, SUMMARY));
  }

  @Test
  void givenEveryArgument_whenLoopCreateIssue_thenTheIssueHasThemAll() {
    Ws ws = writer();
    String project = restPost(ws, "/api/projects", "name", "Checkout").path("id").asText();
    String parent = restIssue(ws, "title", "Goal-level plan", "type", "plan").path("id")
        .asText();
    JsonNode created = tool(ws, "loop_create_issue", "title", "Profile the cart", "type",
        "hypothesis", "priority", 2, "projectId", project, "description", "Why is it slow?",
        "parentId", parent);
    assertThat(created.path("number").asInt()).isEqualTo(2);
    JsonNode rest = rest(ws, "/api/issues/" + created.path("id").asText());
    assertThat(created).isEqualTo(pick(rest, SUMMARY));
    assertThat(rest.path("type").asText()).isEqualTo("hypothesis");
    assertThat(rest.path("priority").asInt()).isEqualTo(2);
    assertThat(rest.path("projectId").asText()).isEqualTo(project);
    assertThat(rest.path("parentId").asText()).isEqualTo(parent);
    assertThat(rest.path("description").asText()).isEqualTo("Why is it slow?");
    assertThat(rest.path("parent").path("id").asText()).isEqualTo(parent);
  }

  @Test
  void givenBadArguments_whenLoopCreateIssue_thenToolErrorsInRestsWordsAndNothingCreated() {
    Ws ws = writer();
    assertThat(failure(ws, "loop_create_issue")).isEqualTo("title is required");
    assertThat(failure(ws, "loop_create_issue", "title", "  ")).isEqualTo(
        "title must not be empty");
    assertThat(failure(ws, "loop_create_issue", "title", "x".repeat(501))).isEqualTo(
        "title must be at most 500 characters");
    assertThat(failure(ws, "loop_create_issue", "title", 42)).isEqualTo(
        "title must be a string");
    assertThat(failure(ws, "loop_create_issue", "title", "t", "type", "bug")).isEqualTo(
        "type must be one of signal, hypothesis, plan, task, monitor");
    assertThat(failure(ws, "loop_create_issue", "title", "t", "priority", 9)).isEqualTo(
        "priority must be a whole number from 0 to 4");
    assertThat(failure(ws, "loop_create_issue", "title", "t", "priority", "high")).isEqualTo(
        "priority must be a whole number from 0 to 4");
    assertThat(failure(ws, "loop_create_issue", "title", "t", "parentId", "iss_nope"))
        .isEqualTo("Parent issue not found");
    assertThat(failure(ws, "loop_create_issue", "title", "t", "projectId", "proj_nope"))
        .isEqualTo("Project not found");
    // REST-only fields are not this tool's arguments: they are ignored, as Loop's tool does.
    JsonNode plain = tool(ws, "loop_create_issue", "title", "t", "status", "done");
    assertThat(plain.path("status").asText()).isEqualTo("triage");
    assertThat(app.get("/api/issues", ws.key()).body().path("total").asInt()).isEqualTo(1);
  }

  // ---- loop_update_issue -----------------------------------------------------------------

  @Test
  void givenAnIssue_whenLoopUpdateIssue_thenOnlyTheGivenFieldsChangeAsRestShows() {
    Ws ws = writer();
    JsonNode issue = restIssue(ws, "title", "Old title", "description", "keep me",
        "priority", 3);
    String id = issue.path("id").asText();
    JsonNode updated = tool(ws, "loop_update_issue", "issueId", id, "status", "in_progress",
        "priority", 1);
    assertThat(fields(updated)).containsExactlyElementsOf(SUMMARY);
    assertThat(updated.path("status").asText()).isEqualTo("in_progress");
    assertThat(updated.path("priority").asInt()).isEqualTo(1);
    JsonNode rest = rest(ws, "/api/issues/" + id);
    assertThat(updated).isEqualTo(pick(rest, SUMMARY));
    assertThat(rest.path("title").asText()).isEqualTo("Old title");
    assertThat(rest.path("description").asText()).isEqualTo("keep me");

    JsonNode renamed = tool(ws, "loop_update_issue", "issueId", id, "title", "New title",
        "type", "plan", "description", "changed", "status", "done");
    assertThat(renamed.path("title").asText()).isEqualTo("New title");
    JsonNode after = rest(ws, "/api/issues/" + id);
    assertThat(renamed).isEqualTo(pick(after, SUMMARY));
    assertThat(after.path("type").asText()).isEqualTo("plan");
    assertThat(after.path("description").asText()).isEqualTo("changed");
    assertThat(after.path("completedAt").isTextual()).as("done stamps completedAt").isTrue();
  }

  @Test
  void givenBadArguments_whenLoopUpdateIssue_thenToolErrorsAndTheIssueIsUnchanged() {
    Ws ws = writer();
    String id = restIssue(ws, "title", "Stay").path("id").asText();
    JsonNode before = rest(ws, "/api/issues/" + id);
    assertThat(failure(ws, "loop_update_issue", "status", "done")).isEqualTo(
        "issueId is required");
    assertThat(failure(ws, "loop_update_issue", "issueId", 7)).isEqualTo(
        "issueId must be a string");
    notFound(failure(ws, "loop_update_issue", "issueId", "iss_" + UUID.randomUUID(),
        "status", "done"));
    assertThat(failure(ws, "loop_update_issue", "issueId", id, "status", "open")).isEqualTo(
        "status must be one of triage, backlog, todo, in_progress, done, canceled");
    assertThat(failure(ws, "loop_update_issue", "issueId", id, "priority", -1)).isEqualTo(
        "priority must be a whole number from 0 to 4");
    assertThat(failure(ws, "loop_update_issue", "issueId", id, "title", "")).isEqualTo(
        "title must not be empty");
    assertThat(failure(ws, "loop_update_issue", "issueId", id, "type", "epic")).isEqualTo(
        "type must be one of signal, hypothesis, plan, task, monitor");
    Ws other = writer();
    notFound(failure(other, "loop_update_issue", "issueId", id, "status", "done"));
    assertThat(rest(ws, "/api/issues/" + id)).isEqualTo(before);
  }

  // ---- loop_get_issue --------------------------------------------------------------------

  @Test
  void givenAnIssueWithFamilyLabelsRelationsAndComments_whenLoopGetIssue_thenRestsDetailAndItsComments() {
    Ws ws = writer();
    String label = restPost(ws, "/api/labels", "name", "perf", "color", "#ff0000").path("id")
        .asText();
    String parent = restIssue(ws, "title", "Parent", "type", "plan").path("id").asText();
    String id = restIssue(ws, "title", "Child", "parentId", parent, "labelIds",
        List.of(label)).path("id").asText();
    String other = restIssue(ws, "title", "Blocked one").path("id").asText();
    restPost(ws, "/api/issues/" + id + "/relations", "type", "blocks", "relatedIssueId",
        other);
    String first = restPost(ws, "/api/issues/" + id + "/comments", "body", "First",
        "authorName", "ann", "authorType", "human").path("id").asText();
    restPost(ws, "/api/issues/" + id + "/comments", "body", "A reply", "authorName", "bot",
        "authorType", "agent", "parentId", first);

    JsonNode got = tool(ws, "loop_get_issue", "issueId", id);
    JsonNode rest = rest(ws, "/api/issues/" + id);
    ObjectNode withoutComments = got.deepCopy();
    withoutComments.remove("comments");
    assertThat(withoutComments).isEqualTo(rest);
    assertThat(got.path("comments")).isEqualTo(rest(ws, "/api/issues/" + id + "/comments"));
    assertThat(got.path("parent").path("id").asText()).isEqualTo(parent);
    assertThat(got.path("children").size()).isZero();
    JsonNode family = tool(ws, "loop_get_issue", "issueId", parent);
    assertThat(ids(family.path("children"))).containsExactly(id);
    assertThat(family.path("parent").isNull()).isTrue();
    ObjectNode parentWithoutComments = family.deepCopy();
    parentWithoutComments.remove("comments");
    assertThat(parentWithoutComments).isEqualTo(rest(ws, "/api/issues/" + parent));
    assertThat(family.path("comments").size()).isZero();
    assertThat(ids(got.path("labels"))).containsExactly(label);
    assertThat(got.path("relations").get(0).path("relatedIssueId").asText()).isEqualTo(other);
    assertThat(got.path("comments").get(0).path("body").asText()).isEqualTo("First");
    assertThat(got.path("comments").get(0).path("replies").get(0).path("body").asText())
        .isEqualTo("A reply");
    assertThat(got.path("projectId").isNull()).isTrue();
    assertThat(got.path("createdAt").isTextual()).isTrue();
  }

  @Test
  void givenAnUnknownOrForeignOrMissingId_whenLoopGetIssue_thenToolError() {
    Ws ws = writer();
    String id = restIssue(ws, "title", "Mine").path("id").asText();
    notFound(failure(ws, "loop_get_issue", "issueId", "iss_" + UUID.randomUUID()));
    notFound(failure(writer(), "loop_get_issue", "issueId", id));
    assertThat(failure(ws, "loop_get_issue")).isEqualTo("issueId is required");
    assertThat(failure(ws, "loop_get_issue", "issueId", List.of(id))).isEqualTo(
        "issueId must be a string");
    app.delete("/api/issues/" + id, ws.key());
    notFound(failure(ws, "loop_get_issue", "issueId", id));
  }

  // ---- loop_list_issues ------------------------------------------------------------------

  @Test
  void givenIssues_whenLoopListIssues_thenSummariesInRestsOrderWithTotalAndHasMore() {
    Ws ws = writer();
    String project = restPost(ws, "/api/projects", "name", "P").path("id").asText();
    restIssue(ws, "title", "one", "status", "todo");
    restIssue(ws, "title", "two", "type", "plan", "projectId", project);
    restIssue(ws, "title", "three", "status", "todo", "projectId", project);

    JsonNode all = tool(ws, "loop_list_issues");
    assertThat(fields(all)).containsExactly("issues", "total", "hasMore");
    assertThat(all.path("total").asInt()).isEqualTo(3);
    assertThat(all.path("hasMore").asBoolean()).isFalse();
    JsonNode rest = app.get("/api/issues", ws.key()).body().path("data");
    List<JsonNode> expected = new ArrayList<>();
    rest.forEach(i -> expected.add(pick(i, SUMMARY)));
    assertThat(all.path("issues")).containsExactlyElementsOf(expected);

    JsonNode firstTwo = tool(ws, "loop_list_issues", "limit", 2);
    assertThat(ids(firstTwo.path("issues"))).containsExactlyElementsOf(ids(rest).subList(0, 2));
    assertThat(firstTwo.path("total").asInt()).isEqualTo(3);
    assertThat(firstTwo.path("hasMore").asBoolean()).isTrue();
    JsonNode last = tool(ws, "loop_list_issues", "limit", 2, "offset", 2);
    assertThat(ids(last.path("issues"))).containsExactly(ids(rest).get(2));
    assertThat(last.path("hasMore").asBoolean()).isFalse();

    assertThat(titles(tool(ws, "loop_list_issues", "status", "todo")))
        .containsExactlyInAnyOrder("one", "three");
    assertThat(titles(tool(ws, "loop_list_issues", "type", "plan"))).containsExactly("two");
    assertThat(titles(tool(ws, "loop_list_issues", "projectId", project)))
        .containsExactlyInAnyOrder("two", "three");
    JsonNode both = tool(ws, "loop_list_issues", "projectId", project, "status", "todo");
    assertThat(titles(both)).containsExactly("three");
    assertThat(both.path("total").asInt()).isEqualTo(1);

    JsonNode none = tool(writer(), "loop_list_issues");
    assertThat(none.path("issues").size()).isZero();
    assertThat(none.path("total").asInt()).isZero();
    assertThat(none.path("hasMore").asBoolean()).isFalse();
  }

  static List<String> titles(JsonNode list) {
    return StreamSupport.stream(list.path("issues").spliterator(), false)
        .map(n -> n.path("title").asText()).toList();
  }

  @Test
  void givenBadArguments_whenLoopListIssues_thenToolErrors() {
    Ws ws = writer();
    assertThat(failure(ws, "loop_list_issues", "status", "open")).isEqualTo(
        "status must be one of triage, backlog, todo, in_progress, done, canceled");
    assertThat(failure(ws, "loop_list_issues", "type", "bug")).isEqualTo(
        "type must be one of signal, hypothesis, plan, task, monitor");
    assertThat(failure(ws, "loop_list_issues", "limit", 0)).isEqualTo(
        "limit must be a whole number from 1 to 100");
    assertThat(failure(ws, "loop_list_issues", "limit", 101)).isEqualTo(
        "limit must be a whole number from 1 to 100");
    assertThat(failure(ws, "loop_list_issues", "limit", "ten")).isEqualTo(
        "limit must be a whole number from 1 to 100");
    assertThat(failure(ws, "loop_list_issues", "offset", -1)).isEqualTo(
        "offset must be a whole number from 0 to 2147483647");
    assertThat(failure(ws, "loop_list_issues", "projectId", 5)).isEqualTo(
        "projectId must be a string");
  }

  // ---- loop_create_comment ---------------------------------------------------------------

  @Test
  void givenAnIssue_whenLoopCreateComment_thenTheAgentsCommentAsRestShowsIt() {
    Ws ws = writer();
    String id = restIssue(ws, "title", "Work").path("id").asText();
    JsonNode comment = tool(ws, "loop_create_comment", "issueId", id, "body",
        "Found the slow query");
    assertThat(fields(comment)).containsExactly("id", "body", "authorName", "createdAt");
    assertThat(comment.path("id").asText()).startsWith("cmt_");
    assertThat(comment.path("authorName").asText()).isEqualTo("agent");
    JsonNode threads = rest(ws, "/api/issues/" + id + "/comments");
    assertThat(threads.size()).isEqualTo(1);
    JsonNode rest = threads.get(0);
    assertThat(comment).isEqualTo(pick(rest, List.of("id", "body", "authorName",
        "createdAt")));
    assertThat(rest.path("authorType").asText()).isEqualTo("agent");
    assertThat(rest.path("issueId").asText()).isEqualTo(id);
    assertThat(rest.path("parentId").isNull()).isTrue();
  }

  @Test
  void givenBadArguments_whenLoopCreateComment_thenToolErrorsAndNoComment() {
    Ws ws = writer();
    String id = restIssue(ws, "title", "Work").path("id").asText();
    assertThat(failure(ws, "loop_create_comment", "issueId", id)).isEqualTo(
        "body is required");
    assertThat(failure(ws, "loop_create_comment", "issueId", id, "body", "")).isEqualTo(
        "body must not be empty");
    assertThat(failure(ws, "loop_create_comment", "issueId", id, "body", Map.of("a", 1)))
        .isEqualTo("body must be a string");
    assertThat(failure(ws, "loop_create_comment", "body", "hi")).isEqualTo(
        "issueId is required");
    notFound(failure(ws, "loop_create_comment", "issueId", "iss_" + UUID.randomUUID(),
        "body", "hi"));
    notFound(failure(writer(), "loop_create_comment", "issueId", id, "body", "hi"));
    assertThat(rest(ws, "/api/issues/" + id + "/comments").size()).isZero();
  }

  // ---- loop_ingest_signal ----------------------------------------------------------------

  @Test
  void givenASignal_whenLoopIngestSignal_thenRestsSignalAndTriageIssue() {
    Ws ws = writer();
    String project = restPost(ws, "/api/projects", "name", "P").path("id").asText();
    JsonNode out = tool(ws, "loop_ingest_signal", "source", "agent", "type", "error",
        "payload", Map.of("message", "NullPointerException in cart", "count", 3),
        "projectId", project);
    assertThat(fields(out)).containsExactly("signal", "issue");
    JsonNode signal = out.path("signal");
    JsonNode issue = out.path("issue");
    assertThat(signal.path("id").asText()).startsWith("sig_");
    assertThat(signal.path("source").asText()).isEqualTo("agent");
    assertThat(signal.path("severity").asText()).as("default").isEqualTo("medium");
    assertThat(signal.path("payload").path("count").asInt()).isEqualTo(3);
    assertThat(signal.path("issueId").asText()).isEqualTo(issue.path("id").asText());
    ObjectNode restIssue = (ObjectNode) rest(ws, "/api/issues/" + issue.path("id").asText());
    restIssue.remove(List.of("parent", "children", "labels", "relations"));
    assertThat(issue).isEqualTo(restIssue);
    assertThat(issue.path("type").asText()).isEqualTo("signal");
    assertThat(issue.path("status").asText()).isEqualTo("triage");
    assertThat(issue.path("projectId").asText()).isEqualTo(project);

    // The same fields, in the same order, as POST /api/signals answers.
    JsonNode viaRest = restPost(ws, "/api/signals", "source", "agent", "type", "error",
        "severity", "high", "payload", Map.of("message", "again"));
    assertThat(fields(signal)).containsExactlyElementsOf(fields(viaRest.path("signal")));
    assertThat(fields(issue)).containsExactlyElementsOf(fields(viaRest.path("issue")));
    JsonNode critical = tool(ws, "loop_ingest_signal", "source", "sentry", "type", "error",
        "severity", "critical", "payload", Map.of());
    assertThat(critical.path("signal").path("severity").asText()).isEqualTo("critical");
  }

  @Test
  void givenBadArguments_whenLoopIngestSignal_thenToolErrorsAndNothingIngested() {
    Ws ws = writer();
    Map<String, Object> payload = Map.of("k", "v");
    assertThat(failure(ws, "loop_ingest_signal", "type", "error", "payload", payload))
        .isEqualTo("source is required");
    assertThat(failure(ws, "loop_ingest_signal", "source", "agent", "payload", payload))
        .isEqualTo("type is required");
    assertThat(failure(ws, "loop_ingest_signal", "source", "agent", "type", "error"))
        .isEqualTo("payload is required");
    assertThat(failure(ws, "loop_ingest_signal", "source", "agent", "type", "error",
        "payload", "broken")).isEqualTo("payload must be a JSON object");
    assertThat(failure(ws, "loop_ingest_signal", "source", "agent", "type", "error",
        "payload", payload, "severity", "urgent")).isEqualTo(
            "severity must be one of low, medium, high, critical");
    assertThat(failure(ws, "loop_ingest_signal", "source", "x".repeat(101), "type", "error",
        "payload", payload)).isEqualTo("source must be at most 100 characters");
    assertThat(failure(ws, "loop_ingest_signal", "source", "agent", "type", "error",
        "payload", payload, "projectId", "proj_nope")).isEqualTo("Project not found");
    assertThat(app.get("/api/issues", ws.key()).body().path("total").asInt()).isZero();
  }

  // ---- loop_get_dashboard ----------------------------------------------------------------

  @Test
  void givenAWorkspace_whenLoopGetDashboard_thenRestsStats() {
    Ws ws = writer();
    JsonNode empty = tool(ws, "loop_get_dashboard");
    assertThat(empty).isEqualTo(rest(ws, "/api/dashboard/stats"));
    assertThat(empty.path("issues").path("total").asInt()).isZero();
    restIssue(ws, "title", "a", "status", "todo");
    restIssue(ws, "title", "b", "type", "plan");
    restPost(ws, "/api/goals", "title", "Faster checkout", "metric", "p95", "targetValue",
        200, "unit", "ms");
    JsonNode stats = tool(ws, "loop_get_dashboard", "ignored", true);
    assertThat(stats).isEqualTo(rest(ws, "/api/dashboard/stats"));
    assertThat(fields(stats)).containsExactly("issues", "goals", "dispatch");
    assertThat(stats.path("issues").path("total").asInt()).isEqualTo(2);
    assertThat(stats.path("issues").path("byType").path("plan").asInt()).isEqualTo(1);
    assertThat(stats.path("issues").path("byStatus").path("todo").asInt()).isEqualTo(1);
    assertThat(stats.path("goals").path("total").asInt()).isEqualTo(1);
    assertThat(fields(stats.path("dispatch"))).containsExactly("queueDepth", "activeCount",
        "completedLast24h");
  }

  // ---- scopes ------------------------------------------------------------------------------

  @Test
  void givenAKeyWithoutLoopWrite_whenAWritingToolIsCalled_thenRefusedAndNothingWritten() {
    Ws owner = writer();
    String id = restIssue(owner, "title", "Untouched").path("id").asText();
    Ws reader = in(owner.owner(), "loop:read");
    Map<String, Map<String, Object>> good = Map.of(
        "loop_create_issue", args("title", "Nope"),
        "loop_update_issue", args("issueId", id, "status", "done"),
        "loop_create_comment", args("issueId", id, "body", "Nope"),
        "loop_ingest_signal", args("source", "agent", "type", "error", "payload",
            Map.of("k", "v")));
    for (String tool : WRITING) {
      assertThat(error(call(reader.mcp(), tool, good.get(tool)))).as(tool).isEqualTo(
          "This key lacks the scope loop:write that " + tool + " needs");
    }
    // It still reads, and it wrote nothing.
    JsonNode list = tool(reader, "loop_list_issues");
    assertThat(list.path("total").asInt()).isEqualTo(1);
    assertThat(tool(reader, "loop_get_issue", "issueId", id).path("status").asText())
        .isEqualTo("triage");
    assertThat(rest(owner, "/api/issues/" + id + "/comments").size()).isZero();

    Ws writeOnly = in(owner.owner(), "loop:write");
    for (String tool : READING) {
      Map<String, Object> a = tool.equals("loop_get_issue") ? args("issueId", id) : args();
      assertThat(error(call(writeOnly.mcp(), tool, a))).as(tool).isEqualTo(
          "This key lacks the scope loop:read that " + tool + " needs");
    }
    Ws neither = in(owner.owner(), "request:read");
    assertThat(error(call(neither.mcp(), "loop_create_issue", args("title", "x"))))
        .isEqualTo("This key lacks the scope loop:write that loop_create_issue needs");
  }
}
