package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop's issues in the dashboard over plain HTTP: the list with the engine's stats, filtered
 * by status and type and paged; one issue with its parent, children, relations, labels,
 * threaded comments and signal payload; every text from the API escaped; another
 * workspace's issue not there; no session, the login page. The dispatch queue page in the
 * order of {@code GET /api/dispatch/queue}, claims leaving it with their lease, issues
 * waiting for approval, each test in a workspace of its own. Issues are made through Loop's
 * REST API. {@code IssuesBrowserTest} uses the pages in Chromium.
 */
class IssuePagesTest {

  static final String XSS = "<script>alert(1)</script>";
  static final String XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User admin;
  static User viewer;
  static User stranger;
  static String key;
  static String strangerKey;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
    admin = ids.existingUser(WorkspacePagesTest.ADMIN_USER, WorkspacePagesTest.ADMIN_PASSWORD);
    viewer = member("issue-viewer", "viewer");
    stranger = ids.newUser("issue-stranger"); // works in a workspace of its own
    key = app.keyFor(WorkspacePagesTest.DEFAULT, Set.of("loop:read", "loop:write"));
    strangerKey = app.keyFor(stranger.id(), Set.of("loop:read", "loop:write"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- helpers -------------------------------------------------------------------------

  static User member(String base, String role) {
    User user = ids.newUser(base);
    Resp added = ids.bearer("POST", "/api/workspaces/current/members", admin.token(),
        Map.of("username", user.username(), "role", role));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    Resp switched = ids.bearer("POST", "/api/workspaces/current", user.token(),
        Map.of("workspace", WorkspacePagesTest.DEFAULT));
    assertThat(switched.status()).as(switched.raw().body()).isEqualTo(200);
    return user;
  }

  static Map<String, Object> body(Object... pairs) {
    Map<String, Object> b = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      b.put((String) pairs[i], pairs[i + 1]);
    }
    return b;
  }

  static JsonNode post(String k, String path, Map<String, Object> body) {
    Resp r = app.post(path, k, body);
    assertThat(r.status()).as(path + ": " + r.raw().body()).isEqualTo(201);
    return r.body().path("data");
  }

  /** A new issue; a task unless {@code pairs} give its type. */
  static String issue(String k, Object... pairs) {
    Map<String, Object> b = body(pairs);
    b.putIfAbsent("type", "task");
    return post(k, "/api/issues", b).path("id").asText();
  }

  static HttpResponse<String> page(String path, User user) {
    HttpRequest.Builder b = app.builder(path, null).header("Accept", "text/html");
    if (user != null) {
      b.header("Cookie", "loopat_session=" + user.token());
    }
    return app.raw(b.GET());
  }

  static String html(String path, User user) {
    HttpResponse<String> r = page(path, user);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  /** The issues a list page shows, in its order. */
  static List<String> listed(String html) {
    Matcher m = Pattern.compile("<tr data-issue=\"([^\"]+)\">").matcher(html);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** A count of the Dashboard section: {@code data-status="done"} or {@code data-type=...}. */
  static long stat(String html, String attribute, String value) {
    Matcher m = Pattern.compile("data-" + attribute + "=\"" + value
        + "\"><dt>[^<]*</dt><dd>(\\d+)</dd>").matcher(html);
    assertThat(m.find()).as(attribute + " " + value).isTrue();
    return Long.parseLong(m.group(1));
  }

  static long total(String query) {
    return app.get("/api/issues" + query, key).body().path("total").asLong();
  }

  // ---- the list ------------------------------------------------------------------------

  @Test
  void givenIssues_whenListedByAnyMember_thenNewestFirstWithTheirFieldsAndTheStats() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String label = post(key, "/api/labels", body("name", "ui-" + tag, "color", "#00f"))
        .path("id").asText();
    String project = post(key, "/api/projects", body("name", "Checkout " + tag)).path("id")
        .asText();
    String older = issue(key, "title", "older " + tag, "type", "plan", "status", "backlog");
    String newer = issue(key, "title", "newer " + tag, "type", "task", "status", "in_progress",
        "priority", 1, "projectId", project, "labelIds", List.of(label));

    for (User u : List.of(admin, viewer)) {
      String list = html("/ui/issues", u);
      assertThat(list).as(u.username())
          .contains("<a href=\"/ui/issues\" aria-current=\"page\">Issues</a>",
              "<h2 id=\"dashboard-h\" class=\"section-h\">Dashboard</h2>",
              "href=\"/ui/issues/" + newer + "\">newer " + tag + "</a>",
              "href=\"/ui/issues/" + older + "\">older " + tag + "</a>",
              "Checkout " + tag, "<span class=\"badge issue-label\">ui-" + tag + "</span>",
              "<span class=\"badge issue-status issue-in_progress\">In progress</span>",
              "<td>Task</td>", "<td>Urgent</td>", "Queue depth");
      List<String> order = listed(list);
      assertThat(order.indexOf(newer)).as("newest first").isGreaterThanOrEqualTo(0)
          .isLessThan(order.indexOf(older));
    }
    // The Dashboard's numbers are the engine's stats.
    String list = html("/ui/issues", admin);
    assertThat(stat(list, "status", "in_progress")).isEqualTo(total("?status=in_progress"));
    assertThat(stat(list, "status", "backlog")).isEqualTo(total("?status=backlog"));
    assertThat(stat(list, "type", "plan")).isEqualTo(total("?type=plan")).isPositive();
    JsonNode stats = app.get("/api/dashboard/stats", key).body().path("data");
    assertThat(list).contains("<div class=\"stat-value\" id=\"stat-issues\">" + total("")
        + "</div>", "<div class=\"stat-value\" id=\"stat-queue\">"
        + stats.path("dispatch").path("queueDepth").asLong() + "</div>",
        "<div class=\"stat-value\" id=\"stat-active\">"
        + stats.path("dispatch").path("activeCount").asLong() + "</div>");
    assertThat(stats.path("dispatch").path("queueDepth").asLong()).isPositive();
    // The nav offers Issues on every dashboard page.
    assertThat(html("/", viewer)).contains("href=\"/ui/issues\"");
  }

  @Test
  void givenIssuesOfSeveralStatusesAndTypes_whenFiltered_thenOnlyMatchingOnesAreListed() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String done = issue(key, "title", "done " + tag, "type", "task", "status", "done");
    String todo = issue(key, "title", "todo " + tag, "type", "task", "status", "todo");
    String monitor = issue(key, "title", "monitor " + tag, "type", "monitor", "status", "todo");

    String byStatus = html("/ui/issues?status=done", admin);
    assertThat(listed(byStatus)).contains(done).doesNotContain(todo, monitor);
    assertThat(byStatus).contains("<option value=\"done\" selected>Done</option>");
    assertThat(listed(byStatus)).hasSize((int) total("?status=done"));

    String both = html("/ui/issues?status=todo&type=monitor", admin);
    assertThat(listed(both)).contains(monitor).doesNotContain(todo, done);
    assertThat(both).contains("<option value=\"monitor\" selected>Monitor</option>");

    // The form's "all" options send empty values: nothing is filtered.
    assertThat(listed(html("/ui/issues?status=&type=", admin))).contains(done, todo, monitor);

    // A filter not on the lists is refused, not ignored.
    for (String bad : List.of("status=nope", "type=%3Cscript%3E", "page=0", "page=x")) {
      HttpResponse<String> r = page("/ui/issues?" + bad, admin);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).contains("No such filter").doesNotContain("<script>");
    }
  }

  @Test
  void givenMoreIssuesThanAPage_whenPaged_thenFiftyAPageWithOlderAndNewerLinks() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 52; i++) {
      issue(key, "title", "paged " + tag + " " + i, "type", "hypothesis", "status", "canceled");
    }
    long all = total("?status=canceled&type=hypothesis");
    String first = html("/ui/issues?status=canceled&type=hypothesis", admin);
    assertThat(listed(first)).hasSize(50);
    assertThat(first).contains("paged " + tag + " 51<", "1–50 of " + all,
        "href=\"/ui/issues?status=canceled&amp;type=hypothesis&amp;page=2\">Older</a>")
        .doesNotContain("paged " + tag + " 0<", ">Newer</a>");
    String second = html("/ui/issues?status=canceled&type=hypothesis&page=2", admin);
    assertThat(listed(second)).hasSize((int) (all - 50));
    assertThat(second).contains("paged " + tag + " 0<", ">Newer</a>")
        .doesNotContain(">Older</a>");
  }

  // ---- one issue -----------------------------------------------------------------------

  @Test
  void givenAnIssueWithRelationsAndComments_whenShown_thenAllOfThemEscapedAndThreaded() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String label = post(key, "/api/labels", body("name", "lbl-" + tag, "color", "red"))
        .path("id").asText();
    String parent = issue(key, "title", "parent " + tag, "type", "plan");
    String hostile = issue(key, "title", XSS + " title", "description",
        "line one\n  indented " + XSS + " & more", "parentId", parent, "labelIds",
        List.of(label), "type", "task", "status", "todo", "priority", 2);
    String blocker = issue(key, "title", "blocker " + tag);
    String sibling = issue(key, "title", "related " + tag);
    post(key, "/api/issues/" + hostile + "/relations", body("type", "blocked_by",
        "relatedIssueId", blocker));
    post(key, "/api/issues/" + hostile + "/relations", body("type", "related",
        "relatedIssueId", sibling));
    String top = post(key, "/api/issues/" + hostile + "/comments", body("body",
        "first " + XSS, "authorName", "agent-" + XSS, "authorType", "agent")).path("id").asText();
    String reply = post(key, "/api/issues/" + hostile + "/comments", body("body",
        "a reply", "authorName", "alice", "authorType", "human", "parentId", top)).path("id")
        .asText();
    String later = post(key, "/api/issues/" + hostile + "/comments", body("body",
        "second thread", "authorName", "bob", "authorType", "human")).path("id").asText();

    for (User u : List.of(admin, viewer)) {
      String p = html("/ui/issues/" + hostile, u);
      assertThat(p).as(u.username()).doesNotContain(XSS)
          .contains("<title>" + XSS_ESCAPED + " title · Interlock</title>",
              "<a href=\"/ui/issues\" aria-current=\"page\">Issues</a>",
              // The description as written, escaped, its whitespace kept by the CSS.
              "<div class=\"issue-text\" id=\"issue-description\">line one\n  indented "
                  + XSS_ESCAPED + " &amp; more</div>",
              "<dd id=\"issue-type\">Task</dd>", "<dd id=\"issue-priority\">High</dd>",
              "<span class=\"badge issue-label\">lbl-" + tag + "</span>",
              "<span id=\"issue-status\" class=\"badge issue-status issue-todo\">Todo</span>",
              "href=\"/ui/issues/" + parent + "\">#", "parent " + tag,
              "<span class=\"relation-type\">Blocked by</span>", "blocker " + tag,
              "<span class=\"relation-type\">Related to</span>", "related " + tag,
              "first " + XSS_ESCAPED, "agent-" + XSS_ESCAPED, "second thread");
      // Threads in order, the reply inside its comment.
      int topAt = p.indexOf("id=\"comment-" + top + "\"");
      int replyAt = p.indexOf("id=\"comment-" + reply + "\"");
      int laterAt = p.indexOf("id=\"comment-" + later + "\"");
      assertThat(topAt).isPositive().isLessThan(replyAt);
      assertThat(replyAt).isLessThan(laterAt);
      assertThat(p.substring(topAt, replyAt)).contains("<ol class=\"comments replies\">");
      assertThat(p).doesNotContain("id=\"signal-payload\"");
    }
    // The parent shows its child; the blocker shows what it blocks.
    assertThat(html("/ui/issues/" + parent, admin)).contains("id=\"issue-children\"><li><a"
        + " href=\"/ui/issues/" + hostile + "\">", "No relations.", "No comments.");
    assertThat(html("/ui/issues/" + blocker, admin))
        .contains("<span class=\"relation-type\">Blocks</span>", "/ui/issues/" + hostile)
        .doesNotContain(XSS);
    // The list escapes the title too.
    assertThat(html("/ui/issues", admin)).contains(XSS_ESCAPED + " title").doesNotContain(XSS);
  }

  @Test
  void givenAnIssueFromASignal_whenShown_thenItsPayloadIsPrettyAndEscaped() {
    Resp r = app.post("/api/signals", key, body("source", "sentry", "sourceId",
        "evt_" + UUID.randomUUID(), "type", "error", "severity", "high", "payload",
        body("message", XSS, "count", 3)));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    String id = r.body().path("data").path("issue").path("id").asText();

    String p = html("/ui/issues/" + id, admin);
    assertThat(p).doesNotContain(XSS).contains("<strong id=\"signal-source\">sentry</strong>",
        "<pre class=\"json\" id=\"signal-payload\">{\n  &quot;count&quot; : 3,\n"
            + "  &quot;message&quot; : &quot;" + XSS_ESCAPED + "&quot;\n}</pre>");
    assertThat(html("/ui/issues?type=signal", admin)).contains("/ui/issues/" + id);
  }

  // ---- who sees what -------------------------------------------------------------------

  @Test
  void givenAnotherWorkspacesIssue_whenOpenedOrListed_thenItIsNotThere() {
    String theirs = issue(strangerKey, "title", "stranger's " + UUID.randomUUID());
    String ours = issue(key, "title", "ours " + UUID.randomUUID());

    HttpResponse<String> elsewhere = page("/ui/issues/" + theirs, admin);
    assertThat(elsewhere.statusCode()).isEqualTo(404);
    assertThat(elsewhere.body()).contains("Issue not found").doesNotContain("stranger's");
    assertThat(page("/ui/issues/" + ours, stranger).statusCode()).isEqualTo(404);
    assertThat(page("/ui/issues/iss_nothing", admin).statusCode()).isEqualTo(404);
    assertThat(listed(html("/ui/issues", admin))).doesNotContain(theirs);
    assertThat(listed(html("/ui/issues", stranger))).containsExactly(theirs);
    // A deleted issue is gone from the page too.
    assertThat(app.delete("/api/issues/" + ours, key).status()).isIn(200, 204);
    assertThat(page("/ui/issues/" + ours, admin).statusCode()).isEqualTo(404);
  }

  @Test
  void givenNoSession_whenAnIssuePageIsOpened_thenTheLoginPageComesBackHere() {
    String id = issue(key, "title", "private " + UUID.randomUUID());
    HttpResponse<String> list = page("/ui/issues?status=todo", null);
    assertThat(list.statusCode()).isEqualTo(303);
    assertThat(list.headers().firstValue("Location").orElseThrow())
        .endsWith("/ui/login?next=%2Fui%2Fissues%3Fstatus%3Dtodo");
    HttpResponse<String> one = page("/ui/issues/" + id, null);
    assertThat(one.statusCode()).isEqualTo(303);
    assertThat(one.headers().firstValue("Location").orElseThrow())
        .endsWith("/ui/login?next=%2Fui%2Fissues%2F" + id);
    assertThat(one.body()).doesNotContain("private ");
  }

  // ---- the dispatch queue --------------------------------------------------------------

  /** A workspace of its own (its user is its admin) and a key of it: a queue of its own. */
  record Workspace(User user, String key) {

    static Workspace fresh(String base) {
      User user = ids.newUser(base);
      return new Workspace(user, app.keyFor(user.id(), Set.of("loop:read", "loop:write",
          "request:read", "request:decide")));
    }
  }

  /** The rows of one of the queue page's tables, in order: {@code queued}, {@code waiting}. */
  static List<String> rows(String html, String kind) {
    Matcher m = Pattern.compile("<tr data-" + kind + "=\"([^\"]+)\"").matcher(html);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The queue row of an issue: from its {@code <tr>} to the row's end. */
  static String row(String html, String attribute, String id) {
    int at = html.indexOf("<tr " + attribute + "=\"" + id + "\"");
    assertThat(at).as(attribute + " " + id).isGreaterThanOrEqualTo(0);
    return html.substring(at, html.indexOf("</tr>", at));
  }

  static List<String> apiQueue(String k, String query) {
    Resp r = app.get("/api/dispatch/queue?limit=200" + query, k);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    List<String> out = new java.util.ArrayList<>();
    r.body().path("data").forEach(q -> out.add(q.path("issue").path("id").asText()));
    return out;
  }

  static String approvalOf(String issueId) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select approval_interrupt_id from engine_issues where id = :id").bind("id", issueId)
        .mapTo(String.class).one());
  }

  @Test
  void givenANewWorkspace_whenItsQueueIsShown_thenEverySectionSaysItIsEmpty() {
    Workspace ws = Workspace.fresh("queue-empty");
    String p = html("/ui/issues/queue", ws.user());
    assertThat(p).contains("<h1>Dispatch queue</h1>",
        "<a href=\"/ui/issues\" aria-current=\"page\">Issues</a>", "Nothing is queued.",
        "No claims are held.", "Nothing waits for a person.")
        .doesNotContain("<tr data-queued", "<tr data-claim", "<tr data-waiting", ">Later</a>");
    // The Issues page links the queue.
    assertThat(html("/ui/issues", ws.user())).contains(
        "<a class=\"btn small ghost\" id=\"queue-link\" href=\"/ui/issues/queue\">");
  }

  @Test
  void givenIssuesOfSeveralPrioritiesAndTypes_whenTheQueueIsShown_thenInDispatchOrderWithScores() {
    Workspace ws = Workspace.fresh("queue-order");
    String k = ws.key();
    String project = post(k, "/api/projects", body("name", "Payments")).path("id").asText();
    String signal = issue(k, "title", "signal p2", "type", "signal", "status", "todo",
        "priority", 2);                                                     // 75+50 = 125
    String task = issue(k, "title", "task p1", "type", "task", "status", "todo", "priority", 1,
        "projectId", project);                                              // 100+20 = 120
    String monitor = issue(k, "title", "monitor p0", "type", "monitor", "status", "todo");
    app.jdbi().useHandle(h -> h.createUpdate("update engine_issues set created_at = now()"
        + " - interval '30 days' where id = :id").bind("id", monitor).execute()); // 10+30+10 = 50
    String plan = issue(k, "title", "plan p4", "type", "plan", "status", "todo", "priority", 4,
        "projectId", project);                                              // 25+30 = 55
    String hypothesis = issue(k, "title", "hypothesis p3", "type", "hypothesis", "status",
        "todo", "priority", 3);                                             // 50+40 = 90
    String blocked = issue(k, "title", "blocked p1", "type", "signal", "status", "todo",
        "priority", 1);
    post(k, "/api/issues/" + blocked + "/relations", body("type", "blocked_by",
        "relatedIssueId", plan));
    String gated = issue(k, "title", "gated plan", "type", "plan", "status", "todo",
        "priority", 1, "requiresApproval", true);
    String backlog = issue(k, "title", "in the backlog", "type", "task", "status", "backlog",
        "priority", 1);

    List<String> api = apiQueue(k, "");
    assertThat(api).containsExactly(signal, task, hypothesis, plan, monitor);
    String p = html("/ui/issues/queue", ws.user());
    assertThat(rows(p, "queued")).containsExactlyElementsOf(api);
    assertThat(p).contains("1–5 of 5").doesNotContain("Nothing is queued.");
    // Each row: its place, number, title linking the issue, type, priority, project, and
    // the score with the parts the API gives.
    Resp queue = app.get("/api/dispatch/queue", k);
    for (int i = 0; i < api.size(); i++) {
      JsonNode q = queue.body().path("data").get(i);
      JsonNode parts = q.path("breakdown");
      String row = row(p, "data-queued", api.get(i));
      assertThat(row).contains("<td class=\"queue-position\">" + (i + 1) + "</td>",
          "<td class=\"issue-number\">#" + q.path("issue").path("number").asInt() + "</td>",
          "href=\"/ui/issues/" + api.get(i) + "\">" + q.path("issue").path("title").asText()
              + "</a>",
          "data-score=\"" + q.path("score").asInt() + "\"",
          parts.path("priorityWeight").asInt() + " priority<",
          parts.path("goalBonus").asInt() + " goal<", parts.path("ageBonus").asInt() + " age<",
          parts.path("typeBonus").asInt() + " type<");
    }
    assertThat(row(p, "data-queued", task)).contains("<td>Task</td>", "<td>Urgent</td>",
        "<td>Payments</td>", "data-score=\"120\"");
    assertThat(row(p, "data-queued", monitor)).contains("<td>Monitor</td>", "<td>None</td>",
        "30 age<", "data-score=\"50\"");
    // Blocked, gated and backlog issues are not queued; the gated one waits for a person,
    // with a link to its question.
    assertThat(rows(p, "queued")).doesNotContain(blocked, gated, backlog);
    assertThat(rows(p, "waiting")).containsExactly(gated);
    String interruptId = approvalOf(gated);
    assertThat(interruptId).isNotNull();
    assertThat(row(p, "data-waiting", gated)).contains("href=\"/ui/issues/" + gated
        + "\">gated plan</a>", "<td>Plan</td>", "<td>Urgent</td>",
        "<a class=\"btn small\" href=\"/review/" + interruptId + "\">Open the approval</a>");
    assertThat(page("/review/" + interruptId, ws.user()).body()).contains("gated plan");

    // One project's queue, as the API orders it, the project chosen in the filter.
    String mine = html("/ui/issues/queue?projectId=" + project, ws.user());
    assertThat(rows(mine, "queued")).containsExactlyElementsOf(apiQueue(k, "&projectId="
        + project)).containsExactly(task, plan);
    assertThat(mine).contains("<option value=\"" + project + "\" selected>Payments</option>");

    // Approved, the plan joins the queue in its place and waits no more.
    Resp approved = app.post("/interrupts/" + interruptId + "/decide", k,
        Map.of("decision", "approved"));
    assertThat(approved.status()).as(approved.raw().body()).isEqualTo(200);
    String after = html("/ui/issues/queue", ws.user());
    assertThat(rows(after, "queued")).containsExactlyElementsOf(apiQueue(k, "")).contains(gated);
    assertThat(rows(after, "waiting")).isEmpty();
    assertThat(after).contains("Nothing waits for a person.");
  }

  @Test
  void givenAClaim_whenTheQueueIsShown_thenTheIssueLeftTheQueueAndIsHeldWithItsLease() {
    Workspace ws = Workspace.fresh("queue-claims");
    String k = ws.key();
    String first = issue(k, "title", "claim me", "type", "signal", "status", "todo",
        "priority", 1);
    String second = issue(k, "title", "then me", "type", "task", "status", "todo",
        "priority", 3);
    assertThat(rows(html("/ui/issues/queue", ws.user()), "queued"))
        .containsExactly(first, second);

    Resp next = app.get("/api/dispatch/next", k);
    assertThat(next.status()).as(next.raw().body()).isEqualTo(200);
    assertThat(next.body().path("issue").path("id").asText()).isEqualTo(first);
    String dispatchId = next.body().path("lease").path("dispatchId").asText();
    java.time.Instant expires = java.time.Instant.parse(next.body().path("lease")
        .path("expiresAt").asText());

    String p = html("/ui/issues/queue", ws.user());
    assertThat(rows(p, "queued")).containsExactlyElementsOf(apiQueue(k, ""))
        .containsExactly(second);
    assertThat(p).doesNotContain("No claims are held.");
    String claim = row(p, "data-claim", dispatchId);
    assertThat(claim).contains("data-issue-claimed=\"" + first + "\"",
        "href=\"/ui/issues/" + first + "\">claim me</a>", "<td class=\"claimed-by\">key:",
        "None yet");
    Matcher lease = Pattern.compile("<td class=\"lease-until\"><time datetime=\"([^\"]+)\""
        + " data-until>").matcher(claim);
    assertThat(lease.find()).as(claim).isTrue();
    assertThat(java.time.Instant.parse(lease.group(1)))
        .isCloseTo(expires, org.assertj.core.api.Assertions.within(1,
            java.time.temporal.ChronoUnit.MILLIS));

    // A comment is a sign of life: the claim shows its heartbeat and the later deadline.
    post(k, "/api/issues/" + first + "/comments", body("body", "working on it",
        "authorName", "agent-1", "authorType", "agent"));
    String beat = row(html("/ui/issues/queue", ws.user()), "data-claim", dispatchId);
    assertThat(beat).doesNotContain("None yet").contains("data-ago>");
    // Done, the claim is held no more.
    Resp done = app.send(app.builder("/api/issues/" + first, k)
        .header("Content-Type", "application/json").method("PATCH",
            HttpRequest.BodyPublishers.ofString("{\"status\":\"done\"}")));
    assertThat(done.status()).as(done.raw().body()).isEqualTo(200);
    assertThat(html("/ui/issues/queue", ws.user())).contains("No claims are held.")
        .doesNotContain(dispatchId);
  }

  @Test
  void givenAnotherWorkspacesQueueAndClaim_whenTheQueueIsShown_thenNeitherIsThere() {
    Workspace ours = Workspace.fresh("queue-ours");
    Workspace theirs = Workspace.fresh("queue-theirs");
    String mine = issue(ours.key(), "title", "ours queued", "type", "task", "status", "todo");
    String theirQueued = issue(theirs.key(), "title", "their queued", "type", "task",
        "status", "todo");
    String theirClaimed = issue(theirs.key(), "title", "their claimed", "type", "signal",
        "status", "todo", "priority", 1);
    String theirGated = issue(theirs.key(), "title", "their gated", "type", "hypothesis",
        "status", "todo", "requiresApproval", true);
    Resp claimed = app.get("/api/dispatch/next", theirs.key());
    assertThat(claimed.body().path("issue").path("id").asText()).isEqualTo(theirClaimed);
    String theirProject = post(theirs.key(), "/api/projects", body("name", "theirs"))
        .path("id").asText();

    String p = html("/ui/issues/queue", ours.user());
    assertThat(rows(p, "queued")).containsExactly(mine);
    assertThat(p).doesNotContain(theirQueued, theirClaimed, theirGated, "their queued",
        "their claimed", "their gated",
        theirProject, claimed.body().path("lease").path("dispatchId").asText())
        .contains("No claims are held.", "Nothing waits for a person.");
    String there = html("/ui/issues/queue", theirs.user());
    assertThat(rows(there, "queued")).containsExactly(theirQueued);
    assertThat(rows(there, "waiting")).containsExactly(theirGated);
    assertThat(there).contains("data-issue-claimed=\"" + theirClaimed + "\"")
        .doesNotContain(mine);

    // Their project is no filter of ours: refused like any unknown one, naming nothing.
    for (String bad : List.of("projectId=" + theirProject, "projectId=proj_nothing",
        "projectId=%3Cscript%3E", "page=0", "page=x", "page=-2")) {
      HttpResponse<String> r = page("/ui/issues/queue?" + bad, ours.user());
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).contains("No such filter").doesNotContain("<script>", "theirs");
    }
  }

  @Test
  void givenMoreThanAPageQueued_whenPaged_thenFiftyAPageContinuingTheOrder() {
    Workspace ws = Workspace.fresh("queue-paged");
    for (int i = 0; i < 52; i++) {
      issue(ws.key(), "title", "queued " + i, "type", "task", "status", "todo", "priority",
          i % 5);
    }
    List<String> api = apiQueue(ws.key(), "");
    String first = html("/ui/issues/queue", ws.user());
    assertThat(rows(first, "queued")).containsExactlyElementsOf(api.subList(0, 50));
    assertThat(first).contains("1–50 of 52",
        "href=\"/ui/issues/queue?projectId=&amp;page=2\">Later</a>").doesNotContain(">Earlier<");
    String second = html("/ui/issues/queue?page=2", ws.user());
    assertThat(rows(second, "queued")).containsExactlyElementsOf(api.subList(50, 52));
    assertThat(second).contains("51–52 of 52", "<td class=\"queue-position\">51</td>",
        ">Earlier</a>").doesNotContain(">Later</a>");
  }

  @Test
  void givenHostileTitlesAndProjectNames_whenTheQueueIsShown_thenAllOfThemAreEscaped() {
    Workspace ws = Workspace.fresh("queue-xss");
    String k = ws.key();
    String project = post(k, "/api/projects", body("name", XSS + " project")).path("id")
        .asText();
    issue(k, "title", XSS + " queued", "type", "task", "status", "todo", "projectId", project);
    issue(k, "title", XSS + " claimed", "type", "signal", "status", "todo", "priority", 1);
    issue(k, "title", XSS + " gated", "type", "plan", "status", "todo", "requiresApproval",
        true, "projectId", project);
    assertThat(app.get("/api/dispatch/next", k).status()).isEqualTo(200);

    String p = html("/ui/issues/queue", ws.user());
    assertThat(p).doesNotContain(XSS).contains(XSS_ESCAPED + " queued</a>",
        XSS_ESCAPED + " claimed</a>", XSS_ESCAPED + " gated</a>",
        "<td>" + XSS_ESCAPED + " project</td>",
        ">" + XSS_ESCAPED + " project</option>");
  }

  @Test
  void givenNoSession_whenTheQueueIsOpened_thenLoginAndBackAfter() {
    HttpResponse<String> anonymous = page("/ui/issues/queue?page=2", null);
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(anonymous.headers().firstValue("Location").orElseThrow())
        .endsWith("/ui/login?next=%2Fui%2Fissues%2Fqueue%3Fpage%3D2");
    // Every role reads Loop (loop:read), a viewer too.
    User reader = member("queue-viewer", "viewer");
    assertThat(page("/ui/issues/queue", reader).statusCode()).isEqualTo(200);
  }
}
