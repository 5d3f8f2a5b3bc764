package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.ReviewLinks;
import io.dropwizard.testing.ConfigOverride;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review page over plain HTTP: who may open it, that GET never decides, CSRF and
 * origin checks on the decision, validation of edited parameters, questions, the live
 * outcome stream and the audit trail. The browser tests drive the same pages in Chromium.
 */
class ReviewAccessTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User owner;
  static String ownerKey;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
    owner = ids.newUser("reviewer");
    ownerKey = ids.rawKey(owner, Map.of("label", "agent"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonNode create(String key, String action, Object... more) {
    Resp r = app.post("/interrupts", key, TestApp.interrupt("user-ann", action, more));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body();
  }

  /** The path and query of a reviewUrl, which carries the configured public base URL. */
  static String local(String reviewUrl) {
    URI u = URI.create(reviewUrl);
    return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  static String tokenOf(String reviewUrl) {
    return URI.create(reviewUrl).getQuery().substring("token=".length());
  }

  static HttpResponse<String> page(String path, String sessionToken) {
    HttpRequest.Builder b = app.builder(path, null).header("Accept", "text/html");
    if (sessionToken != null) {
      b.header("Cookie", "loopat_session=" + sessionToken);
    }
    return app.raw(b.GET());
  }

  /** A redirect's target on this server (Jersey makes relative locations absolute). */
  static String location(HttpResponse<String> r) {
    return local(r.headers().firstValue("Location").orElseThrow());
  }

  static String csrf(String html) {
    // The decision form's own token (an owner's page also has the logout form's).
    Matcher m = Pattern.compile("id=\"decide\"[^>]*>\\s*(?:<input type=\"hidden\" name=\"token\"[^>]*>\\s*)?"
        + "<input type=\"hidden\" name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a CSRF field in the decision form").isTrue();
    return m.group(1);
  }

  static HttpResponse<String> post(String path, Map<String, String> form, String sessionToken,
      Map<String, String> headers) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest.Builder b = app.builder(path, null)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json");
    if (sessionToken != null) {
      b.header("Cookie", "loopat_session=" + sessionToken);
    }
    headers.forEach(b::header);
    return app.raw(b.POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  static Map<String, String> form(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static String secret() {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'review_link_secret'").mapTo(String.class).one());
  }

  @Test
  void givenReviewLink_whenOpenedRepeatedly_thenShowsEverythingAndDecidesNothing() {
    JsonNode created = create(ownerKey, "Transfer $4,200 to Acme", "urgency", "high",
        "context", Map.of("vendor", "Acme <Supplies>", "amount", 4200));
    String id = created.path("interruptId").asText();
    String link = local(created.path("reviewUrl").asText());

    for (int i = 0; i < 3; i++) { // mail scanners and previews open links, sometimes often
      HttpResponse<String> r = page(link, null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy")).isPresent();
      assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
      assertThat(r.body()).contains("Transfer $4,200 to Acme", "urgency-high", "agent-test",
          "&quot;vendor&quot; : &quot;Acme &lt;Supplies&gt;&quot;", "name=\"decision\" value=\"approved\"");
    }
    Resp got = app.get("/interrupts/" + id, ownerKey);
    assertThat(got.text("status")).isEqualTo("pending");
    Resp events = app.get("/interrupts/" + id + "/events", ownerKey);
    assertThat(events.body()).extracting(e -> e.path("event").asText()).containsExactly("created");
  }

  @Test
  void givenTokenOfAnotherInterrupt_whenUsed_thenRefusedWithoutShowingIt() {
    JsonNode a = create(ownerKey, "Delete the staging database");
    JsonNode b = create(ownerKey, "Rotate production credentials");
    String foreign = tokenOf(a.path("reviewUrl").asText());
    String bId = b.path("interruptId").asText();

    HttpResponse<String> r = page("/review/" + bId + "?token=" + foreign, null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("Review link not valid").doesNotContain("Rotate production");

    String tampered = foreign.substring(0, foreign.length() - 2) + "AA";
    assertThat(page("/review/" + a.path("interruptId").asText() + "?token=" + tampered, null)
        .statusCode()).isEqualTo(404);
    assertThat(page("/review/not-an-id?token=" + foreign, null).statusCode()).isEqualTo(404);

    // Deciding with it is refused the same way, and nothing changes.
    HttpResponse<String> decided = post("/review/" + bId + "/decide",
        form("token", foreign, "csrf", "x", "decision", "approved"), null, Map.of());
    assertThat(decided.statusCode()).isEqualTo(404);
    assertThat(app.get("/interrupts/" + bId, ownerKey).text("status")).isEqualTo("pending");
  }

  @Test
  void givenExpiredToken_whenOpened_thenRefusedAsExpired() {
    JsonNode c = create(ownerKey, "Email the whole customer list");
    String id = c.path("interruptId").asText();
    ReviewLinks links = new ReviewLinks(secret(), "http://interlock.test", Duration.ZERO,
        Clock.systemUTC());
    String expired = links.token(id, "user-ann", Instant.now().minusSeconds(5));
    String valid = links.token(id, "user-ann", Instant.now().plusSeconds(600));

    HttpResponse<String> r = page("/review/" + id + "?token=" + expired, null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("expired").doesNotContain("Email the whole customer list");
    // The same key and interrupt with a later expiry works: it was the expiry that counted.
    assertThat(page("/review/" + id + "?token=" + valid, null).statusCode()).isEqualTo(200);
    // A token signed with another secret is not ours.
    String other = new ReviewLinks("another-secret-of-at-least-32-characters", "x",
        Duration.ZERO, Clock.systemUTC()).token(id, "user-ann", Instant.now().plusSeconds(600));
    assertThat(page("/review/" + id + "?token=" + other, null).statusCode()).isEqualTo(404);
  }

  @Test
  void givenLinkPage_whenApprovedWithEditedParams_thenRecordedWithAudienceAndModifiedParams() {
    JsonNode c = create(ownerKey, "Pay invoice INV-7", "context", Map.of("amount", 4200));
    String id = c.path("interruptId").asText();
    String link = local(c.path("reviewUrl").asText());
    String token = tokenOf(c.path("reviewUrl").asText());
    String csrf = csrf(page(link, null).body());

    HttpResponse<String> r = post("/review/" + id + "/decide", form("token", token, "csrf", csrf,
        "decision", "approved", "reason", "Checked the invoice",
        "modifiedParams", "{\"amount\": 4000}"), null, Map.of("Origin", app.base()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    Resp got = app.get("/interrupts/" + id, ownerKey);
    assertThat(got.text("status")).isEqualTo("approved");
    assertThat(got.text("reason")).isEqualTo("Checked the invoice");
    assertThat(got.body().path("modifiedParams").path("amount").asInt()).isEqualTo(4000);
    Resp audit = app.get("/api/requests/" + id + "/audit", ownerKey);
    assertThat(audit.body()).anySatisfy(e -> {
      assertThat(e.path("event").asText()).isEqualTo("approved");
      assertThat(e.path("actor").asText()).isEqualTo("review:user-ann");
    });

    // A second decision from the same page: 409 with the outcome, not a second decision.
    HttpResponse<String> again = post("/review/" + id + "/decide", form("token", token, "csrf",
        csrf, "decision", "rejected"), null, Map.of());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("\"status\":\"approved\"");
  }

  @Test
  void givenUnchangedParams_whenApproved_thenNoModifiedParams() {
    JsonNode c = create(ownerKey, "Restart the web tier", "context", Map.of("hosts", 3));
    String id = c.path("interruptId").asText();
    String token = tokenOf(c.path("reviewUrl").asText());
    String csrf = csrf(page(local(c.path("reviewUrl").asText()), null).body());
    HttpResponse<String> r = post("/review/" + id + "/decide", form("token", token, "csrf", csrf,
        "decision", "approved", "modifiedParams", "{\n  \"hosts\" : 3\n}"), null, Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(app.get("/interrupts/" + id, ownerKey).body().path("modifiedParams").isNull()).isTrue();
  }

  @Test
  void givenBadParamsMissingCsrfOrForeignOrigin_whenPosted_thenRefusedAndNothingDecided() {
    JsonNode c = create(ownerKey, "Drop table users", "context", Map.of("table", "users"));
    String id = c.path("interruptId").asText();
    String token = tokenOf(c.path("reviewUrl").asText());
    String csrf = csrf(page(local(c.path("reviewUrl").asText()), null).body());

    HttpResponse<String> badJson = post("/review/" + id + "/decide", form("token", token, "csrf",
        csrf, "decision", "approved", "modifiedParams", "{\"table\": "), null, Map.of());
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(badJson.body()).contains("not valid JSON");
    HttpResponse<String> notObject = post("/review/" + id + "/decide", form("token", token,
        "csrf", csrf, "decision", "approved", "modifiedParams", "[1, 2]"), null, Map.of());
    assertThat(notObject.statusCode()).isEqualTo(400);
    assertThat(notObject.body()).contains("JSON object");

    HttpResponse<String> noCsrf = post("/review/" + id + "/decide",
        form("token", token, "decision", "rejected"), null, Map.of());
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    HttpResponse<String> crossSite = post("/review/" + id + "/decide", form("token", token,
        "csrf", csrf, "decision", "rejected"), null, Map.of("Origin", "https://evil.example"));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    HttpResponse<String> fetchSite = post("/review/" + id + "/decide", form("token", token,
        "csrf", csrf, "decision", "rejected"), null, Map.of("Sec-Fetch-Site", "cross-site"));
    assertThat(fetchSite.statusCode()).isEqualTo(403);
    // A CSRF token of another interrupt's page does not fit this one.
    JsonNode other = create(ownerKey, "Something else");
    String otherCsrf = csrf(page(local(other.path("reviewUrl").asText()), null).body());
    assertThat(post("/review/" + id + "/decide", form("token", token, "csrf", otherCsrf,
        "decision", "rejected"), null, Map.of()).statusCode()).isEqualTo(403);

    assertThat(app.get("/interrupts/" + id, ownerKey).text("status")).isEqualTo("pending");
  }

  @Test
  void givenOwnerSession_whenOpenedWithoutToken_thenFullPageWithAuditAndDecisionAsUser() {
    JsonNode c = create(ownerKey, "Ship release 2.4");
    String id = c.path("interruptId").asText();

    HttpResponse<String> anonymous = page("/review/" + id, null);
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(location(anonymous))
        .startsWith("/ui/login?next=%2Freview%2F" + id);

    HttpResponse<String> mine = page("/review/" + id, owner.token());
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(mine.body()).contains("Ship release 2.4", "Audit trail", "Review link", "?token=");

    User stranger = ids.newUser("stranger");
    HttpResponse<String> theirs = page("/review/" + id, stranger.token());
    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(theirs.body()).doesNotContain("Ship release 2.4");

    String csrf = csrf(mine.body());
    HttpResponse<String> r = post("/review/" + id + "/decide", form("csrf", csrf,
        "decision", "rejected", "reason", "Not this week"), owner.token(), Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Resp audit = app.get("/interrupts/" + id + "/events", ownerKey);
    assertThat(audit.body()).anySatisfy(e -> {
      assertThat(e.path("event").asText()).isEqualTo("rejected");
      assertThat(e.path("actor").asText()).isEqualTo(owner.username());
      assertThat(e.path("details").path("actorId").asText()).isEqualTo("user:" + owner.id());
    });
  }

  @Test
  void givenHtmlFormWithoutScript_whenDecided_thenRedirectsBackToTheOutcome() {
    JsonNode c = create(ownerKey, "Archive old tickets");
    String id = c.path("interruptId").asText();
    String link = local(c.path("reviewUrl").asText());
    String csrf = csrf(page(link, null).body());
    HttpRequest.Builder b = app.builder("/review/" + id + "/decide", null)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + tokenOf(c.path("reviewUrl").asText())
            + "&csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&decision=approved"
            + "&modifiedParams=%7B%7D"));
    HttpResponse<String> r = app.raw(b);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(location(r)).isEqualTo(link);
    HttpResponse<String> after = page(link, null);
    assertThat(after.body()).contains("outcome-approved", "review:user-ann")
        .doesNotContain("name=\"decision\"");
  }

  @Test
  void givenLoopgateChoice_whenAnsweredOnThePage_thenResponseRecorded() {
    Resp reg = app.post("/hitl/register", ownerKey, Map.of("session_id", "deploys",
        "client_id", "ci"));
    assertThat(reg.status()).isEqualTo(200);
    Resp q = app.post("/hitl/request", ownerKey, Map.of("session_id", "deploys",
        "client_id", "ci", "message", "Deploy v2.1.0?", "options", List.of("Deploy", "Hold")));
    String id = q.text("request_id");
    String url = app.get("/interrupts/" + id, ownerKey).text("reviewUrl");
    String html = page(local(url), null).body();
    assertThat(html).contains("Choose an answer", "value=\"Deploy\"", "value=\"Hold\"")
        .doesNotContain("id=\"params\"");
    String csrf = csrf(html);

    assertThat(post("/review/" + id + "/decide", form("token", tokenOf(url), "csrf", csrf,
        "response", "Ship it anyway"), null, Map.of()).statusCode()).isEqualTo(400);
    HttpResponse<String> r = post("/review/" + id + "/decide", form("token", tokenOf(url),
        "csrf", csrf, "response", "Deploy"), null, Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Resp polled = app.get("/hitl/poll?request_id=" + id, ownerKey);
    assertThat(polled.text("response")).isEqualTo("Deploy");
    assertThat(polled.body().path("approved").asBoolean()).isTrue();
  }

  @Test
  void givenOpenEventStream_whenDecidedOverRest_thenOutcomeArrivesLive() throws Exception {
    JsonNode c = create(ownerKey, "Scale the cluster to 40 nodes");
    String id = c.path("interruptId").asText();
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
    HttpResponse<InputStream> stream = app.http().send(app.builder("/review/" + id
        + "/events?token=" + tokenOf(c.path("reviewUrl").asText()), null)
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (Exception e) {
        // the stream ends when the outcome has been sent
      }
    });
    reader.setDaemon(true);
    reader.start();
    assertThat(nextData(lines, "state")).contains("\"status\":\"pending\"");

    Resp decided = app.post("/interrupts/" + id + "/decide", ownerKey,
        Map.of("decision", "approved", "reason", "over REST"));
    assertThat(decided.status()).isEqualTo(200);
    assertThat(nextData(lines, "state")).contains("\"status\":\"approved\"", "over REST");
    reader.join(10_000);
    assertThat(reader.isAlive()).as("the server closes the stream after the outcome").isFalse();

    // A stream for a link that is not valid is refused outright.
    HttpResponse<String> refused = app.raw(app.builder("/review/" + id + "/events?token=1.AA.AA",
        null).header("Accept", "text/event-stream").GET());
    assertThat(refused.statusCode()).isEqualTo(404);
  }

  static String nextData(BlockingQueue<String> lines, String event) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    boolean inEvent = false;
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      if (line.equals("event: " + event)) {
        inEvent = true;
      } else if (inEvent && line.startsWith("data:")) {
        return line.substring(5).trim();
      }
    }
    throw new AssertionError("no " + event + " event within 15 s");
  }

  @Test
  void givenDashboard_whenNotLoggedIn_thenLoginPageAndBulkDecisionNeedsCsrf() {
    HttpResponse<String> home = page("/", null);
    assertThat(home.statusCode()).isEqualTo(303);
    assertThat(location(home)).isEqualTo("/ui/login?next=%2F");
    assertThat(page("/ui/login", null).body()).contains("<label for=\"username\">Username</label>");
    assertThat(page("/ui/static/app.css", null).statusCode()).isEqualTo(200);
    assertThat(app.get("/health", null).status()).isEqualTo(200);

    JsonNode a = create(ownerKey, "Bulk one");
    JsonNode b = create(ownerKey, "Bulk two");
    HttpResponse<String> inbox = page("/", owner.token());
    assertThat(inbox.statusCode()).isEqualTo(200);
    assertThat(inbox.body()).contains("Bulk one", "Bulk two");
    Matcher m = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(inbox.body());
    assertThat(m.find()).isTrue();

    Map<String, Object> body = Map.of("ids", List.of(a.path("interruptId").asText(),
        b.path("interruptId").asText()), "decision", "rejected", "reason", "Not now");
    HttpRequest.Builder without = app.builder("/ui/decide", null)
        .header("Cookie", "loopat_session=" + owner.token())
        .header("Content-Type", "application/json");
    Resp refused = app.send(without.POST(HttpRequest.BodyPublishers.ofString(json(body))));
    assertThat(refused.status()).isEqualTo(403);

    HttpRequest.Builder with = app.builder("/ui/decide", null)
        .header("Cookie", "loopat_session=" + owner.token())
        .header("X-CSRF-Token", m.group(1))
        .header("Content-Type", "application/json");
    Resp done = app.send(with.POST(HttpRequest.BodyPublishers.ofString(json(body))));
    assertThat(done.status()).as(done.raw().body()).isEqualTo(200);
    assertThat(done.body().path("results")).allSatisfy(r ->
        assertThat(r.path("status").asText()).isEqualTo("rejected"));
    assertThat(app.get("/interrupts/" + a.path("interruptId").asText(), ownerKey).text("reason"))
        .isEqualTo("Not now");
  }

  @Test
  void givenSessionCookie_whenRestCallComesFromAnotherSite_thenRefused() {
    HttpRequest.Builder b = app.builder("/api/keys", null)
        .header("Cookie", "loopat_session=" + owner.token())
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/json");
    Resp r = app.send(b.POST(HttpRequest.BodyPublishers.ofString(
        "{\"name\":\"x\",\"scopes\":[\"request:read\"]}")));
    assertThat(r.status()).isEqualTo(403);
    HttpRequest.Builder same = app.builder("/api/keys", null)
        .header("Cookie", "loopat_session=" + owner.token())
        .header("Origin", app.base())
        .header("Content-Type", "application/json");
    assertThat(app.send(same.POST(HttpRequest.BodyPublishers.ofString(
        "{\"name\":\"x\",\"scopes\":[\"request:read\"]}"))).status()).isEqualTo(201);
  }

  @Test
  void givenRequireLogin_whenLinkOpenedWithoutSession_thenLoginFirstAndOwnerStillWorks(
      @TempDir Path other) {
    try (TestApp strict = new TestApp(other, ConfigOverride.config("review.requireLogin", "true"))
        .start()) {
      Identities people = new Identities(strict);
      User user = people.newUser("strict");
      String key = people.rawKey(user, Map.of("label", "agent"));
      Resp c = strict.post("/interrupts", key, TestApp.interrupt("user-ann", "Wire $1M"));
      String url = c.text("reviewUrl");
      HttpResponse<String> r = strict.raw(strict.builder(local(url), null).GET());
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(location(r)).startsWith("/ui/login?next=");
      HttpResponse<String> mine = strict.raw(strict.builder(local(url), null)
          .header("Cookie", "loopat_session=" + user.token()).GET());
      assertThat(mine.statusCode()).isEqualTo(200);
      assertThat(mine.body()).contains("Wire $1M");
    }
  }

  private static String json(Object body) {
    try {
      return TestApp.JSON.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
