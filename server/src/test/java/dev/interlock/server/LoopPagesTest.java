package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.Identities.User;
import dev.interlock.server.SseReader.Frame;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.ReviewLinks;
import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's loops over plain HTTP, as a browser without script uses them and as the
 * page's script follows a loop: the list and a loop's transcript for every role, a loop of
 * another workspace not there, titles and text escaped, a pending choice answered in place
 * through the core (the loop hears {@code choice_resolved} from the web) and refused to a
 * viewer, the message box and Interrupt for the loop's creator only, and the page's event
 * stream resuming after {@code Last-Event-ID}. Turns run the fake agent, as in
 * {@link LoopsTest}. {@code LoopsBrowserTest} answers a choice in Chromium.
 */
class LoopPagesTest {

  static final String XSS = "<script>alert(1)</script>";

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User admin;
  static User viewer;
  static User reviewer;
  static User stranger;

  @BeforeAll
  static void start() {
    app = new TestApp(data,
        ConfigOverride.config("loops.agentCommand", "python3 " + LoopsTest.FAKE_AGENT),
        ConfigOverride.config("loops.pingInterval", "1s"));
    app.start();
    ids = new Identities(app);
    admin = ids.existingUser(WorkspacePagesTest.ADMIN_USER, WorkspacePagesTest.ADMIN_PASSWORD);
    viewer = member("loop-viewer", "viewer");
    reviewer = member("loop-reviewer", "reviewer");
    stranger = ids.newUser("loop-stranger"); // works in a workspace of its own
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- helpers -------------------------------------------------------------------------

  /** A new user, a member of the default workspace with {@code role} and working there. */
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

  static String newLoop(User user, String title) {
    Resp r = ids.bearer("POST", "/api/v1/loops", user.token(), Map.of("title", title));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("id");
  }

  /** Sends through loopat's API; the stream of the turn. */
  static SseReader send(User user, String loopId, String content) {
    String body;
    try {
      body = TestApp.JSON.writeValueAsString(Map.of("content", content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return SseReader.open(app.http(), HttpRequest.newBuilder(
            URI.create(app.base() + "/api/v1/loops/" + loopId + "/messages"))
        .timeout(Duration.ofMinutes(3))
        .header("Authorization", "Bearer " + user.token())
        .header("Accept", "text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A whole turn through loopat's API, until its end. */
  static List<Frame> turn(User user, String loopId, String content) {
    try (SseReader s = send(user, loopId, content)) {
      return s.untilEnd();
    }
  }

  /** The page's own stream, with the session cookie, as its EventSource opens it. */
  static SseReader pageStream(User user, String path, String lastEventId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.base() + path))
        .timeout(Duration.ofMinutes(3))
        .header("Cookie", "loopat_session=" + user.token())
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return SseReader.open(app.http(), b.GET().build());
  }

  /** The status a page stream opens with; the stream is closed at once. */
  static int streamStatus(User user, String path) {
    try (SseReader s = pageStream(user, path, null)) {
      return s.status();
    }
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

  static HttpResponse<String> post(String path, User user, Map<String, String> headers,
      String... pairs) {
    List<String> fields = new ArrayList<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      fields.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    HttpRequest.Builder b = app.builder(path, null)
        .header("Cookie", "loopat_session=" + user.token())
        .header("Content-Type", "application/x-www-form-urlencoded");
    headers.forEach(b::header);
    return app.raw(b.POST(HttpRequest.BodyPublishers.ofString(String.join("&", fields))));
  }

  /** The CSRF token of the form that posts to {@code action} on this page. */
  static String csrf(String html, String action) {
    Matcher m = Pattern.compile("action=\"" + Pattern.quote(action)
        + "\"[^>]*><input type=\"hidden\" name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a form posting to " + action).isTrue();
    return m.group(1);
  }

  /** The token a loop page's forms would carry for this user, made with the server's secret. */
  static String forgedCsrf(String loopId, User user) {
    String secret = app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'review_link_secret'")
        .mapTo(String.class).one());
    return new ReviewLinks(secret, "http://interlock.test", Duration.ZERO, Clock.systemUTC())
        .csrf("loop:" + loopId, "session\n" + user.token());
  }

  /** Where the page's script follows the loop from. */
  static String eventsPath(String html) {
    Matcher m = Pattern.compile("data-events=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("the page's stream").isTrue();
    return m.group(1);
  }

  /** The agent's text in frames of a page's stream (each event's data is under "data"). */
  static String pageText(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("assistant_delta"))
        .map(f -> f.json().path("data").path("text").asText()).collect(Collectors.joining());
  }

  static String text(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("assistant_delta"))
        .map(f -> f.json().path("text").asText()).collect(Collectors.joining());
  }

  // ---- the list and the page -------------------------------------------------------------

  @Test
  void givenLoops_whenListedByAnyRole_thenMostRecentlyActiveFirstWithTheirStateAndEscaped() {
    String older = newLoop(admin, "older loop " + Identities.unique("l"));
    String hostile = newLoop(admin, XSS + " refactor");
    turn(admin, hostile, "SAY hi");

    for (User u : List.of(admin, reviewer, viewer)) {
      String list = html("/ui/loops", u);
      assertThat(list).as(u.username())
          .contains("<a href=\"/ui/loops\" aria-current=\"page\">Loops</a>",
              "&lt;script&gt;alert(1)&lt;/script&gt; refactor", "href=\"/ui/loops/" + hostile
                  + "\"", "href=\"/ui/loops/" + older + "\"", admin.username(),
              "<span class=\"badge loop-state loop-idle\">Idle</span>")
          .doesNotContain(XSS);
      assertThat(list.indexOf("/ui/loops/" + hostile)).as("most recently active first")
          .isLessThan(list.indexOf("/ui/loops/" + older));
    }
    // Another workspace's loops are not in a stranger's list.
    assertThat(html("/ui/loops", stranger)).doesNotContain(hostile, older);

    HttpResponse<String> anonymous = page("/ui/loops", null);
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(anonymous.headers().firstValue("Location").orElseThrow())
        .endsWith("/ui/login?next=%2Fui%2Floops");
    assertThat(html("/", viewer)).contains("href=\"/ui/loops\"");
  }

  @Test
  void givenFinishedTurns_whenTheLoopPageIsShown_thenTheTranscriptIsEscapedForEveryRole() {
    String loopId = newLoop(admin, XSS);
    List<Frame> first = turn(admin, loopId, "TOOL Bash {\"command\":\"ls /tmp\"}\nSAY "
        + "<b>bold</b> & " + XSS);
    assertThat(first.get(first.size() - 1).event()).isEqualTo("done");
    List<Frame> second = turn(admin, loopId, "SAY partial\nEXIT 3");
    assertThat(second.get(second.size() - 1).event()).isEqualTo("error");

    String page = html("/ui/loops/" + loopId, admin);
    assertThat(page).doesNotContain(XSS, "<b>bold</b>")
        .contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · Interlock</title>",
            "<h1 id=\"loop-title\">&lt;script&gt;alert(1)&lt;/script&gt;</h1>",
            // The message as sent, then what the agent did.
            "SAY &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;",
            "<div class=\"block say\">&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)"
                + "&lt;/script&gt;</div>",
            "<span class=\"tool-name\">Bash</span> <code class=\"tool-summary\">ls /tmp</code>"
                + " <span class=\"tool-state\">done</span>",
            "<span class=\"badge turn-status turn-done\">Done</span>",
            "<span class=\"badge turn-status turn-error\">Error</span>",
            "Error (agent_exited)", "Turn 1", "Turn 2",
            // The creator's message box and Interrupt.
            "action=\"/ui/loops/" + loopId + "/messages\"",
            "action=\"/ui/loops/" + loopId + "/interrupt\"");
    assertThat(page.indexOf("Turn 1")).isLessThan(page.indexOf("Turn 2"));
    assertThat(page).contains("<div class=\"block say\">partial</div>");

    // Anyone in the workspace reads it; only its creator sends to it.
    for (User u : List.of(reviewer, viewer)) {
      String theirs = html("/ui/loops/" + loopId, u);
      assertThat(theirs).as(u.username()).contains("ls /tmp", "Error (agent_exited)")
          .doesNotContain(XSS, "id=\"send\"", "/messages\"", "/interrupt\"");
    }
    assertThat(html("/ui/loops/" + loopId, viewer)).contains("As a viewer in this workspace");

    // Another workspace's loop, or none at all: not found, saying nothing of it.
    HttpResponse<String> elsewhere = page("/ui/loops/" + loopId, stranger);
    assertThat(elsewhere.statusCode()).isEqualTo(404);
    assertThat(elsewhere.body()).contains("Loop not found").doesNotContain("alert(1)");
    assertThat(page("/ui/loops/loop_00000000-0000-0000-0000-000000000000", admin)
        .statusCode()).isEqualTo(404);
    assertThat(streamStatus(stranger, "/ui/loops/" + loopId + "/events")).isEqualTo(404);
    HttpResponse<String> anonymous = page("/ui/loops/" + loopId, null);
    assertThat(anonymous.statusCode()).isEqualTo(303);
  }

  // ---- choices -------------------------------------------------------------------------

  @Test
  void givenPendingChoice_whenAllowedOnThePage_thenTheCoreDecidesAndTheLoopHearsItFromTheWeb() {
    String loopId = newLoop(admin, "choices " + Identities.unique("c"));
    try (SseReader turn = send(admin, loopId, "ASK Bash {\"command\":\"rm -rf /tmp/x\"}")) {
      List<Frame> upTo = turn.until("requires_choice");
      String choiceId = upTo.get(upTo.size() - 1).json().path("choice_id").asText();
      String interruptId = choiceId.substring("choice_".length());
      String action = "/ui/loops/" + loopId + "/choices/" + choiceId;

      // The admin and a reviewer may answer it; a viewer sees it without the form.
      String page = html("/ui/loops/" + loopId, admin);
      assertThat(page).contains("Allow Bash?", "<pre class=\"choice-command\">rm -rf /tmp/x</pre>",
          "action=\"" + action + "\"", "name=\"allow\" value=\"true\">Allow</button>",
          "name=\"allow\" value=\"false\">Deny</button>",
          "<span class=\"badge turn-status turn-running\">Running</span>",
          "<span id=\"loop-state\" class=\"badge loop-state loop-waiting\">Waiting for a"
              + " choice</span>");
      assertThat(html("/ui/loops/" + loopId, reviewer)).contains("action=\"" + action + "\"");
      String seen = html("/ui/loops/" + loopId, viewer);
      assertThat(seen).contains("Allow Bash?", "rm -rf /tmp/x",
          "Waiting for an answer from someone who may decide.")
          .doesNotContain("action=\"" + action + "\"");

      // A viewer's answer, with a valid token, is refused and changes nothing.
      HttpResponse<String> refused = post(action, viewer, Map.of("Accept", "application/json"),
          "csrf", forgedCsrf(loopId, viewer), "allow", "true");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("viewer");
      assertThat(app.get("/interrupts/" + interruptId, TestApp.ADMIN_KEY).text("status"))
          .isEqualTo("pending");
      // Without the page's token, or from another site: refused too.
      assertThat(post(action, admin, Map.of(), "allow", "true").statusCode()).isEqualTo(403);
      assertThat(post(action, admin, Map.of("Origin", "https://evil.example"), "csrf",
          csrf(page, action), "allow", "true").statusCode()).isEqualTo(403);
      assertThat(post(action, admin, Map.of("Accept", "application/json"), "csrf",
          csrf(page, action)).statusCode()).isEqualTo(400);

      // The page follows the loop from what it shows.
      try (SseReader live = pageStream(admin, eventsPath(page), null)) {
        HttpResponse<String> allowed = post(action, admin, Map.of(), "csrf", csrf(page, action),
            "allow", "true");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(303);
        assertThat(allowed.headers().firstValue("Location").orElseThrow())
            .endsWith("/ui/loops/" + loopId);

        Frame resolved = live.until("choice_resolved").stream()
            .filter(f -> f.event().equals("choice_resolved")).findFirst().orElseThrow();
        assertThat(resolved.json().path("data").path("source").asText()).isEqualTo("web");
        assertThat(resolved.json().path("choice_id").asText()).isEqualTo(choiceId);
        assertThat(resolved.json().path("html").asText())
            .contains("Allowed by " + admin.username() + " on the web")
            .doesNotContain("<form");
        List<Frame> after = live.until("done");
        assertThat(pageText(after)).contains("Allowed Bash");
        assertThat(after.get(after.size() - 1).json().path("turn_id").asText())
            .isEqualTo(resolved.json().path("turn_id").asText());
      }

      // loopat's own stream heard it from the web as well.
      List<Frame> rest = turn.untilEnd();
      Frame resolved = rest.stream().filter(f -> f.event().equals("choice_resolved"))
          .findFirst().orElseThrow();
      assertThat(resolved.json().path("source").asText()).isEqualTo("web");
      assertThat(rest.get(rest.size() - 1).event()).isEqualTo("done");
    }
    String page = html("/ui/loops/" + loopId, admin);
    assertThat(page).contains("Allowed by " + admin.username() + " on the web", "Allowed Bash",
        "<span class=\"badge turn-status turn-done\">Done</span>",
        "<span id=\"loop-state\" class=\"badge loop-state loop-idle\">Idle</span>")
        .doesNotContain("class=\"choice-form\"");
  }

  @Test
  void givenQuestionChoice_whenAnsweredOnThePage_thenTheAgentGetsTheAnswer() {
    String loopId = newLoop(admin, "questions " + Identities.unique("q"));
    String ask = "ASK AskUserQuestion {\"questions\":[{\"question\":\"Which <color>?\","
        + "\"header\":\"Color\",\"options\":[{\"label\":\"red\"},{\"label\":\"blue\"}],"
        + "\"multiSelect\":false}]}";
    try (SseReader turn = send(admin, loopId, ask)) {
      List<Frame> upTo = turn.until("requires_choice");
      String choiceId = upTo.get(upTo.size() - 1).json().path("choice_id").asText();
      String action = "/ui/loops/" + loopId + "/choices/" + choiceId;
      String page = html("/ui/loops/" + loopId, reviewer);
      assertThat(page).contains("Which &lt;color&gt;?", "name=\"answer:q1\" value=\"red\"",
          "name=\"answer:q1\" value=\"blue\"").doesNotContain("Which <color>");
      HttpResponse<String> unanswered = post(action, reviewer, Map.of("Accept",
          "application/json"), "csrf", csrf(page, action));
      assertThat(unanswered.statusCode()).isEqualTo(400);
      assertThat(unanswered.body()).contains("Answer every question");
      HttpResponse<String> answered = post(action, reviewer, Map.of("Accept",
          "application/json"), "csrf", csrf(page, action), "answer:q1", "blue");
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(answered.body()).contains("\"status\":\"approved\"");
      // Answered: a second answer finds nothing waiting.
      HttpResponse<String> again = post(action, reviewer, Map.of("Accept",
          "application/json"), "csrf", csrf(page, action), "answer:q1", "red");
      assertThat(again.statusCode()).isEqualTo(409);
      List<Frame> rest = turn.untilEnd();
      assertThat(text(rest)).contains("Allowed AskUserQuestion with answers")
          .contains("{\"Which <color>?\":\"blue\"}");
    }
    assertThat(html("/ui/loops/" + loopId, viewer))
        .contains("Answered by " + reviewer.username() + " on the web: blue");
  }

  // ---- the creator's box and Interrupt ---------------------------------------------------

  @Test
  void givenTheCreator_whenSendingAndInterruptingFromThePage_thenTurnsRunAndStop() {
    String loopId = newLoop(admin, "box " + Identities.unique("b"));
    String page = html("/ui/loops/" + loopId, admin);
    assertThat(page).contains("No messages yet.");
    String send = "/ui/loops/" + loopId + "/messages";
    String token = csrf(page, send);
    try (SseReader live = pageStream(admin, eventsPath(page), null)) {
      HttpResponse<String> sent = post(send, admin, Map.of(), "csrf", token, "key", "k-1",
          "content", "SAY from the page");
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(303);
      // The page hears of the new turn (rendered), then the agent's work on it.
      Frame announced = live.next();
      assertThat(announced.event()).isEqualTo("turn");
      assertThat(announced.id()).isNull();
      assertThat(announced.json().path("html").asText()).contains("SAY from the page",
          "Turn 1");
      List<Frame> frames = live.until("done");
      assertThat(pageText(frames)).isEqualTo("from the page");
      // The same form sent twice sends once.
      assertThat(post(send, admin, Map.of(), "csrf", token, "key", "k-1", "content",
          "SAY from the page").statusCode()).isEqualTo(303);
      Resp loop = ids.bearer("GET", "/api/v1/loops/" + loopId, admin.token(), null);
      assertThat(loop.body().path("turn_count").asInt()).isEqualTo(1);

      // Interrupt stops the running turn.
      assertThat(post(send, admin, Map.of(), "csrf", token, "key", "k-2", "content",
          "SAY working\nSLEEP 60\nSAY never").statusCode()).isEqualTo(303);
      live.until("assistant_delta");
      HttpResponse<String> stopped = post("/ui/loops/" + loopId + "/interrupt", admin,
          Map.of("Accept", "application/json"), "csrf", token);
      assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
      List<Frame> end = live.until("interrupted");
      assertThat(pageText(end)).doesNotContain("never");
    }
    assertThat(html("/ui/loops/" + loopId, admin))
        .contains("<span class=\"badge turn-status turn-interrupted\">Interrupted</span>");

    // Nobody else sends or interrupts, not even an admin of the workspace with a valid token.
    String other = newLoop(secondAdmin(), "not the admin's " + Identities.unique("n"));
    HttpResponse<String> refused = post("/ui/loops/" + other + "/messages", admin,
        Map.of("Accept", "application/json"), "csrf", forgedCsrf(other, admin), "content",
        "SAY hi");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("created this loop");
    assertThat(post("/ui/loops/" + other + "/interrupt", admin, Map.of(), "csrf",
        forgedCsrf(other, admin)).statusCode()).isEqualTo(403);
    assertThat(html("/ui/loops/" + other, admin)).doesNotContain("id=\"send\"");
    HttpResponse<String> empty = post(send, admin, Map.of(), "csrf", token, "content", " ");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("Write a message before sending it.");
  }

  /** A second admin of the default workspace, whose loops are not the first admin's. */
  static User secondAdmin() {
    return member("loop-second-admin", "admin");
  }

  // ---- the page's stream -----------------------------------------------------------------

  @Test
  void givenLastEventId_whenThePageStreamReconnects_thenItResumesRightAfterIt() {
    String loopId = newLoop(admin, "resume " + Identities.unique("r"));
    List<Frame> frames = turn(admin, loopId, "SAY one\nSAY two\nSAY three");
    Frame second = frames.get(1);
    try (SseReader resumed = pageStream(admin, "/ui/loops/" + loopId + "/events?after=0",
        second.id())) {
      assertThat(resumed.status()).isEqualTo(200);
      Frame announced = resumed.next();
      assertThat(announced.event()).isEqualTo("turn");
      List<Frame> rest = resumed.until("done");
      assertThat(rest.get(0).seq()).isEqualTo(second.seq() + 1);
      assertThat(rest.stream().map(Frame::id).toList())
          .isEqualTo(frames.subList(2, frames.size()).stream().map(Frame::id).toList());
    }
    // The page's "after" when there is no Last-Event-ID; a bad one is refused.
    try (SseReader fromStart = pageStream(admin, "/ui/loops/" + loopId + "/events?after=0",
        null)) {
      fromStart.next();
      assertThat(fromStart.next().seq()).isEqualTo(frames.get(0).seq());
    }
    assertThat(streamStatus(admin, "/ui/loops/" + loopId + "/events?after=x")).isEqualTo(400);
    assertThat(streamStatus(viewer, "/ui/loops/" + loopId + "/events")).isEqualTo(200);
    HttpResponse<String> anonymous = app.raw(app.builder("/ui/loops/" + loopId + "/events",
        null).header("Accept", "text/event-stream").GET());
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }
}
