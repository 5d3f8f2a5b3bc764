package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.engine.DashboardService;
import dev.interlock.server.service.engine.DispatchService;
import dev.interlock.server.service.engine.EngineRules;
import dev.interlock.server.service.engine.IssueService;
import dev.interlock.server.service.engine.IssueService.IssueQuery;
import dev.interlock.server.service.engine.SignalService;
import java.util.List;
import java.util.function.Supplier;

/**
 * Loop's own MCP tools (the names, arguments and results of Loop's MCP server) on
 * Interlock's {@code /mcp}: issues, comments, signals and the dashboard. Arguments are read
 * by the same code as the matching REST bodies ({@link IssueResource#newIssue},
 * {@link IssueResource#changes}, {@link IssueResource#postComment},
 * {@link SignalResource#signal}), so a bad one is refused in the same words ("title is
 * required"); an unknown issue adds how to find one ("Use loop_list_issues ..."). Results
 * are the REST objects, or the fields of them Loop's tools return. Reading needs
 * {@code loop:read}, writing {@code loop:write}.
 *
 * <p>Dispatch: {@code loop_get_next_task} claims as {@code GET /api/dispatch/next} does (the
 * claim's lease is in the result, as over REST); {@code loop_complete_task} sets the issue
 * done (which completes its lease), records the outcome as the agent's comment and names the
 * issues that finishing it unblocked.
 */
final class LoopTools {

  /** The issue fields Loop's tools return for an issue they created, changed or listed. */
  static final List<String> ISSUE_SUMMARY =
      List.of("id", "number", "title", "type", "status", "priority");
  /** The issue fields {@code loop_get_next_task} returns (Loop's order). */
  static final List<String> NEXT_TASK_ISSUE =
      List.of("id", "number", "title", "type", "priority", "status");
  /** The comment fields {@code loop_create_comment} returns. */
  static final List<String> COMMENT_SUMMARY = List.of("id", "body", "authorName", "createdAt");
  /** Loop's tools list at most this many issues at a time (its REST API allows 200). */
  static final int MAX_LIST = 100;
  static final String AGENT = "agent";

  private final IssueService issues;
  private final SignalService signals;
  private final DashboardService dashboard;
  private final IssueViews issueViews;
  private final SignalViews signalViews;
  private final ObjectMapper json;
  private final DispatchService dispatch;
  private final DispatchViews dispatchViews;

  LoopTools(IssueService issues, SignalService signals, DashboardService dashboard,
      IssueViews issueViews, SignalViews signalViews, ObjectMapper json,
      DispatchService dispatch, DispatchViews dispatchViews) {
    this.dispatch = dispatch;
    this.dispatchViews = dispatchViews;
    this.issues = issues;
    this.signals = signals;
    this.dashboard = dashboard;
    this.issueViews = issueViews;
    this.signalViews = signalViews;
    this.json = json;
  }

  /** What loop_get_next_task answers when nothing can be claimed (Loop's words). */
  static final String QUEUE_EMPTY = "No tasks available. The dispatch queue is empty.";

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("loop_get_next_task",
            "Get the highest-priority unblocked issue with dispatch instructions. Atomically"
                + " claims the issue. Returns issue details and hydrated prompt: {issue: {id,"
                + " number, title, type, priority, status}, prompt, meta, lease}. The claim"
                + " holds while you work on the issue (update it, comment on it, or call"
                + " loop_heartbeat); finish with loop_complete_task.",
            ToolSchema.object()
                .string("projectId", false, "Filter to a specific project")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> nextTask(caller, args)),
        McpTool.writing("loop_complete_task",
            "Mark an issue as done, record what was accomplished, and find newly unblocked"
                + " issues. Returns {issue, comment, unblockedIssues}.",
            ToolSchema.object()
                .string("issueId", true, "ID of the issue to complete")
                .string("outcome", true, "Summary of what was accomplished")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> completeTask(caller, args)),
        McpTool.writing("loop_create_issue",
            "Create a new issue in Loop. Issues are the atomic unit of work: signals,"
                + " hypotheses, plans, tasks and monitors are all issue types. Returns {id,"
                + " number, title, type, status, priority}.",
            ToolSchema.object()
                .string("title", true, "Issue title (1 to 500 characters)")
                .oneOf("type", false, EngineRules.ISSUE_TYPES, "Issue type (default: task)")
                .integer("priority", "0=none, 1=urgent, 2=high, 3=medium, 4=low (default: 0)")
                .string("projectId", false, "Project to assign the issue to")
                .string("description", false, "Issue description")
                .string("parentId", false, "Parent issue ID for hierarchy")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> createIssue(caller, args)),
        McpTool.writing("loop_update_issue",
            "Update an existing issue in Loop (status, priority, type, title, or"
                + " description). Returns {id, number, title, type, status, priority}.",
            ToolSchema.object()
                .string("issueId", true, "ID of the issue to update")
                .oneOf("status", false, EngineRules.ISSUE_STATUSES, "New status for the issue")
                .integer("priority", "Priority level (0=none, 1=urgent, 2=high, 3=medium,"
                    + " 4=low)")
                .oneOf("type", false, EngineRules.ISSUE_TYPES, "Issue type")
                .string("title", false, "New title for the issue")
                .string("description", false, "New description for the issue")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> updateIssue(caller, args)),
        McpTool.reading("loop_get_issue",
            "Get full details of a single issue by ID, including parent, children, labels,"
                + " comments, and relations.",
            ToolSchema.object()
                .string("issueId", true, "ID of the issue to retrieve")
                .build(),
            Scopes.LOOP_READ, (caller, args, call) -> getIssue(caller, args)),
        McpTool.reading("loop_list_issues",
            "List issues from Loop with optional filters for status, type, and project,"
                + " newest first. Returns {issues: [{id, number, title, type, status,"
                + " priority}], total, hasMore}.",
            ToolSchema.object()
                .oneOf("status", false, EngineRules.ISSUE_STATUSES, "Filter by issue status")
                .oneOf("type", false, EngineRules.ISSUE_TYPES, "Filter by issue type")
                .string("projectId", false, "Filter by project ID")
                .integer("limit", "Maximum number of issues to return (1-" + MAX_LIST
                    + ", default 20)")
                .integer("offset", "Number of issues to skip for pagination (default 0)")
                .build(),
            Scopes.LOOP_READ, (caller, args, call) -> listIssues(caller, args)),
        McpTool.writing("loop_create_comment",
            "Post a comment on an issue as the agent. Returns {id, body, authorName,"
                + " createdAt}.",
            ToolSchema.object()
                .string("issueId", true, "ID of the issue to comment on")
                .string("body", true, "Comment text")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> createComment(caller, args)),
        McpTool.writing("loop_ingest_signal",
            "Ingest a signal (error, metric change, user feedback) into Loop. Creates a"
                + " signal and a linked triage issue. Returns {signal, issue}.",
            ToolSchema.object()
                .string("source", true, "Signal source (e.g., \"agent\", \"posthog\","
                    + " \"sentry\")")
                .string("type", true, "Signal type (e.g., \"error\", \"metric_change\","
                    + " \"user_feedback\")")
                .oneOf("severity", false, SignalService.SEVERITIES,
                    "Signal severity (default: medium)")
                .json("payload", true, "Signal data as key-value pairs")
                .string("projectId", false, "Project the signal belongs to")
                .build(),
            Scopes.LOOP_WRITE, (caller, args, call) -> ingestSignal(caller, args)),
        McpTool.reading("loop_get_dashboard",
            "Get system health metrics: issue counts, goal progress, and dispatch queue"
                + " status. Returns {issues: {total, byStatus, byType}, goals: {total, active,"
                + " achieved}, dispatch: {queueDepth, activeCount, completedLast24h}}.",
            ToolSchema.object().build(),
            Scopes.LOOP_READ, (caller, args, call) -> getDashboard(caller)));
  }

  // ---- the tools -----------------------------------------------------------------------

  private JsonNode createIssue(Caller caller, ObjectNode args) {
    ObjectNode body = only(args, "title", "type", "priority", "projectId", "description",
        "parentId");
    if (isAbsent(body, "type")) {
      body.put("type", "task");
    }
    if (isAbsent(body, "priority")) {
      body.put("priority", 0);
    }
    IssueRow created = issues.create(caller.ownerId(), IssueResource.newIssue(body));
    return pick(issueViews.issue(created), ISSUE_SUMMARY);
  }

  private JsonNode updateIssue(Caller caller, ObjectNode args) {
    String id = issueId(args);
    return suggesting(() -> {
      issues.get(caller.ownerId(), id); // an unknown issue is a 404 before its arguments
      ObjectNode body = only(args, "status", "priority", "type", "title", "description");
      IssueRow updated = issues.update(caller.ownerId(), id, IssueResource.changes(body));
      return pick(issueViews.issue(updated), ISSUE_SUMMARY);
    });
  }

  /** {@code GET /api/issues/{id}}'s object with the issue's comment threads beside it. */
  private JsonNode getIssue(Caller caller, ObjectNode args) {
    String id = issueId(args);
    return suggesting(() -> {
      ObjectNode detail = issueViews.issueDetail(issues.detail(caller.ownerId(), id));
      detail.set("comments",
          issueViews.threads(issues.commentThreads(caller.ownerId(), id)).get("data"));
      return detail;
    });
  }

  private JsonNode listIssues(Caller caller, ObjectNode args) {
    LoopInput in = LoopInput.of(args);
    String status = in.oneOf("status", EngineRules.ISSUE_STATUSES);
    String type = in.oneOf("type", EngineRules.ISSUE_TYPES);
    String projectId = in.optional("projectId", 1, 200);
    Integer limit = in.integer("limit", 1, MAX_LIST);
    Integer offset = in.integer("offset", 0, Integer.MAX_VALUE);
    int l = limit == null ? Paging.DEFAULT_LIMIT : limit;
    int o = offset == null ? 0 : offset;
    IssueQuery filter = new IssueQuery(status == null ? null : List.of(status),
        type == null ? null : List.of(type), projectId, null, null, null);
    Page<IssueRow> page = issues.list(caller.ownerId(), filter, l, o);
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("issues");
    page.items().forEach(i -> list.add(pick(issueViews.issue(i), ISSUE_SUMMARY)));
    out.put("total", page.total());
    out.put("hasMore", (long) o + l < page.total());
    return out;
  }

  private JsonNode createComment(Caller caller, ObjectNode args) {
    String id = issueId(args);
    return suggesting(() -> {
      issues.get(caller.ownerId(), id);
      ObjectNode body = only(args, "body");
      body.put("authorName", AGENT);
      body.put("authorType", AGENT);
      return pick(issueViews.comment(IssueResource.postComment(issues, caller.ownerId(), id,
          body)), COMMENT_SUMMARY);
    });
  }

  /** {@code POST /api/signals}'s {@code data}: the full signal and its triage issue. */
  private JsonNode ingestSignal(Caller caller, ObjectNode args) {
    ObjectNode body = only(args, "source", "type", "severity", "payload", "projectId");
    if (isAbsent(body, "severity")) {
      body.put("severity", "medium");
    }
    return signalViews.ingested(signals.ingest(caller.ownerId(), SignalResource.signal(body),
        null)).get("data");
  }

  /** {@code GET /api/dashboard/stats}'s {@code data}. */
  private JsonNode getDashboard(Caller caller) {
    return signalViews.stats(dashboard.stats(caller.ownerId())).get("data");
  }

  /** {@code GET /api/dispatch/next} as Loop's tool answers it, or its "queue empty" text. */
  private JsonNode nextTask(Caller caller, ObjectNode args) {
    String projectId = LoopInput.of(args).optional("projectId", 1, 200);
    return dispatch.next(caller, projectId).<JsonNode>map(claim -> {
      ObjectNode out = dispatchViews.claim(claim, dispatch.lease());
      out.set("issue", pick(issueViews.issue(claim.issue()), NEXT_TASK_ISSUE));
      return out;
    }).orElse(json.getNodeFactory().textNode(QUEUE_EMPTY));
  }

  /**
   * Done (the claim's lease completes with it), the outcome as the agent's comment, and the
   * issues that were waiting only on this one.
   */
  private JsonNode completeTask(Caller caller, ObjectNode args) {
    String id = issueId(args);
    return suggesting(() -> {
      issues.get(caller.ownerId(), id);
      String outcome = LoopInput.of(args).required("outcome", 1, LoopInput.LONG_TEXT);
      ObjectNode done = json.createObjectNode().put("status", "done");
      IssueRow updated = issues.update(caller.ownerId(), id, IssueResource.changes(done));
      ObjectNode comment = json.createObjectNode().put("body", outcome)
          .put("authorName", AGENT).put("authorType", AGENT);
      ObjectNode out = json.createObjectNode();
      out.set("issue", issueViews.issue(updated));
      out.set("comment", issueViews.comment(IssueResource.postComment(issues, caller.ownerId(),
          id, comment)));
      ArrayNode unblocked = out.putArray("unblockedIssues");
      issues.unblockedBy(updated).forEach(i -> unblocked.add(pick(issueViews.issue(i),
          ISSUE_SUMMARY)));
      return out;
    });
  }

  // ---- arguments and results -------------------------------------------------------------

  private static String issueId(ObjectNode args) {
    return LoopInput.of(args).required("issueId", 1, 200);
  }

  /**
   * Runs a tool on one issue; an unknown issue (404) says how to find one, as Loop's tools
   * do.
   */
  private static JsonNode suggesting(Supplier<JsonNode> tool) {
    try {
      return tool.get();
    } catch (InterlockException e) {
      if (e.status() != 404) {
        throw e;
      }
      throw new Refusal(404, e.code(), e.getMessage()
          + ". Use loop_list_issues to find valid issue IDs.");
    }
  }

  /** A copy of the arguments holding only {@code fields} (the tool's own). */
  private ObjectNode only(ObjectNode args, String... fields) {
    ObjectNode out = json.createObjectNode();
    for (String f : fields) {
      if (args.has(f)) {
        out.set(f, args.get(f));
      }
    }
    return out;
  }

  private static boolean isAbsent(ObjectNode body, String field) {
    return !body.has(field) || body.get(field).isNull();
  }

  private ObjectNode pick(ObjectNode view, List<String> fields) {
    ObjectNode out = json.createObjectNode();
    fields.forEach(f -> out.set(f, view.get(f)));
    return out;
  }
}
