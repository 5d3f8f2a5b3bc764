package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What agents and people write reaches the pages as text: a script in an action, a context,
 * a reason, an agent's name or a search is shown, escaped, and never becomes markup.
 */
class ReviewPageEscapingTest {

  static final String SCRIPT = "<script>alert('x')</script>";
  static final String SHOWN = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;";

  @TempDir static Path data;
  static TestApp app;
  static User owner;
  static String ownerKey;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    Identities ids = new Identities(app);
    owner = ids.newUser("escaping");
    ownerKey = ids.rawKey(owner, Map.of("label", "agent"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String create(String action, Object... more) {
    Resp r = app.post("/interrupts", ownerKey, TestApp.interrupt("user-ann", action, more));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  static String page(String path) {
    HttpResponse<String> r = app.raw(app.builder(path, null)
        .header("Cookie", "loopat_session=" + owner.token()).GET());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  /** Only the pages' own scripts: every one of them loads a file from /ui/static/. */
  static void assertNoInjectedScript(String html) {
    assertThat(html).doesNotContain("<script>");
    assertThat(count(html, "<script")).isEqualTo(count(html, "<script src=\"/ui/static/")
        + count(html, "<script type=\"application/json\" id=\"analytics-data\">"));
  }

  static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void givenScriptInActionContextAndReason_whenReviewPageShown_thenItIsText() {
    String id = create("Pay " + SCRIPT, "context", Map.of("note", SCRIPT));
    String pending = page("/review/" + id);
    assertThat(pending).contains("<h1 id=\"title\">Pay " + SHOWN + "</h1>",
        "<title>Review: Pay " + SHOWN + " · Interlock</title>",
        "&quot;note&quot; : &quot;" + SHOWN + "&quot;");
    assertNoInjectedScript(pending);

    Resp decided = app.post("/interrupts/" + id + "/decide", ownerKey,
        Map.of("decision", "rejected", "reason", SCRIPT));
    assertThat(decided.status()).isEqualTo(200);
    String after = page("/review/" + id);
    assertThat(after).contains("<p>Reason: " + SHOWN + "</p>");
    assertNoInjectedScript(after);
  }

  @Test
  void givenScriptInActionAndAgent_whenDashboardShown_thenItIsText() throws Exception {
    String id = create("Deploy " + SCRIPT, "agentId", "</script>" + SCRIPT);
    String inbox = page("/");
    assertThat(inbox).contains(
        "<a class=\"item-title\" href=\"/review/" + id + "\">Deploy " + SHOWN + "</a>",
        "aria-label=\"Reject: Deploy " + SHOWN + "\"",
        "<option value=\"&lt;/script&gt;" + SHOWN + "\">");
    assertNoInjectedScript(inbox);
    String items = page("/ui/inbox");
    assertThat(items).contains("Deploy " + SHOWN);
    assertNoInjectedScript(items);

    String history = page("/ui/history?q=" + URLEncoder.encode(SCRIPT, StandardCharsets.UTF_8));
    assertThat(history).contains("value=\"" + SHOWN + "\"");
    assertNoInjectedScript(history);

    // The analytics data is JSON in a script element: no "<" in it can close that element,
    // so the element's text up to the first "</script>" is all of it.
    String analytics = page("/ui/analytics");
    assertThat(analytics).contains("\\u003c/script>\\u003cscript>alert('x')\\u003c/script>");
    assertNoInjectedScript(analytics);
    String open = "<script type=\"application/json\" id=\"analytics-data\">";
    int start = analytics.indexOf(open) + open.length();
    JsonNode parsed = TestApp.JSON.readTree(analytics.substring(start,
        analytics.indexOf("</script>", start)));
    assertThat(parsed.path("agents")).anySatisfy(
        a -> assertThat(a.path("label").asText()).isEqualTo("</script>" + SCRIPT));
  }
}
