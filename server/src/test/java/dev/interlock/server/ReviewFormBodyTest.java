package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import io.dropwizard.testing.ConfigOverride;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages' form posts (a decision on the review page, logging out) over HTTP: bodies
 * larger than {@code limits.maxBodyBytes} are refused before anything is decided, a field
 * holding the NUL character counts as absent, and a body that is not a well-formed form is
 * a 4xx, never a 500.
 */
class ReviewFormBodyTest {

  static final int MAX_BODY_BYTES = 16_384;

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User owner;
  static String ownerKey;

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("limits.maxBodyBytes",
        Integer.toString(MAX_BODY_BYTES))).start();
    ids = new Identities(app);
    owner = ids.newUser("forms");
    ownerKey = ids.rawKey(owner, Map.of("label", "agent"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** A pending interrupt's review link: its id, token and decision form's CSRF token. */
  record Link(String id, String token, String csrf) {}

  static Link pending(String action) {
    TestApp.Resp c = app.post("/interrupts", ownerKey, TestApp.interrupt("user-ann", action));
    assertThat(c.status()).as(c.raw().body()).isEqualTo(201);
    JsonNode created = c.body();
    String url = created.path("reviewUrl").asText();
    String html = app.raw(app.builder(ReviewAccessTest.local(url), null).GET()).body();
    return new Link(created.path("interruptId").asText(), ReviewAccessTest.tokenOf(url),
        ReviewAccessTest.csrf(html));
  }

  static HttpResponse<String> post(String path, String body, String accept, String session) {
    HttpRequest.Builder b = app.builder(path, null)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", accept);
    if (session != null) {
      b.header("Cookie", "loopat_session=" + session);
    }
    return app.raw(b.POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  static String field(String name, String value) {
    return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String decision(Link link, String... more) {
    StringBuilder b = new StringBuilder(field("token", link.token()) + "&"
        + field("csrf", link.csrf()));
    for (int i = 0; i + 1 < more.length; i += 2) {
      b.append('&').append(field(more[i], more[i + 1]));
    }
    return b.toString();
  }

  static JsonNode interrupt(String id) {
    return app.get("/interrupts/" + id, ownerKey).body();
  }

  @Test
  void givenADecisionOverTheBodyLimit_whenPosted_then400AndNothingDecided() {
    Link link = pending("Approve the oversized form");
    String body = decision(link, "decision", "approved", "reason", "x".repeat(MAX_BODY_BYTES));
    assertThat(body.length()).isGreaterThan(MAX_BODY_BYTES);

    for (String accept : new String[] {"application/json", "text/html"}) {
      HttpResponse<String> r = post("/review/" + link.id() + "/decide", body, accept, null);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/json"));
      assertThat(r.body()).isEqualTo("{\"error\":\"The form is too large.\"}");
    }
    assertThat(interrupt(link.id()).path("status").asText()).isEqualTo("pending");

    // Just under the limit, the same form is read and decides.
    String fits = decision(link, "decision", "approved", "reason", "x".repeat(9_000));
    assertThat(fits.length()).isLessThan(MAX_BODY_BYTES);
    HttpResponse<String> r = post("/review/" + link.id() + "/decide", fits, "application/json",
        null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(interrupt(link.id()).path("reason").asText()).hasSize(9_000);
  }

  @Test
  void givenALogoutFormOver4KiB_whenPosted_thenRefusedAndTheSessionStays() {
    User user = ids.newUser("leaving");
    String page = history(user).body();
    Matcher m = Pattern.compile("action=\"/ui/logout\"><input type=\"hidden\" name=\"csrf\""
        + " value=\"([^\"]+)\"").matcher(page);
    assertThat(m.find()).as("the logout form's CSRF token").isTrue();
    String csrf = m.group(1);
    HttpResponse<String> big = post("/ui/logout", field("csrf", csrf) + "&pad="
        + "x".repeat(4_096), "text/html", user.token());
    assertThat(big.statusCode()).isEqualTo(403);
    assertThat(big.body()).contains("Could not log out");
    assertThat(big.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(history(user).statusCode()).isEqualTo(200);

    // The same form within the limit logs out.
    HttpResponse<String> out = post("/ui/logout", field("csrf", csrf), "text/html",
        user.token());
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().allValues("Set-Cookie")).anySatisfy(
        c -> assertThat(c).startsWith("loopat_session=;"));
  }

  static HttpResponse<String> history(User user) {
    return app.raw(app.builder("/ui/history", null)
        .header("Cookie", "loopat_session=" + user.token()).GET());
  }

  @Test
  void givenANulCharacterInAField_whenPosted_thenThatFieldCountsAsAbsent() {
    // In the decision: as if none was chosen.
    Link link = pending("Decide with NUL");
    HttpResponse<String> noDecision = post("/review/" + link.id() + "/decide",
        decision(link, "decision", "approved\0"), "application/json", null);
    assertThat(noDecision.statusCode()).isEqualTo(400);
    assertThat(noDecision.body()).contains("Choose Approve or Reject.");
    assertThat(interrupt(link.id()).path("status").asText()).isEqualTo("pending");

    // In the token: as if there were no link, so whoever this is must log in.
    HttpResponse<String> noToken = post("/review/" + link.id() + "/decide",
        field("token", link.token() + "\0") + "&" + field("csrf", link.csrf()) + "&"
            + field("decision", "approved"), "application/json", null);
    assertThat(noToken.statusCode()).isEqualTo(401);

    // In the reason: the decision stands without one; a later clean value of the field counts.
    HttpResponse<String> r = post("/review/" + link.id() + "/decide", decision(link,
        "reason", "a\0b", "decision", "rejected"), "application/json", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(interrupt(link.id()).path("status").asText()).isEqualTo("rejected");
    assertThat(interrupt(link.id()).path("reason").isNull()).isTrue();

    Link other = pending("Decide with NUL, then clean");
    HttpResponse<String> clean = post("/review/" + other.id() + "/decide", decision(other,
        "reason", "a\0b", "reason", "checked", "decision", "approved"), "application/json", null);
    assertThat(clean.statusCode()).as(clean.body()).isEqualTo(200);
    assertThat(interrupt(other.id()).path("reason").asText()).isEqualTo("checked");
  }

  @Test
  void givenABodyThatIsNotAWellFormedForm_whenPosted_then4xxAndNothingDecided() {
    Link link = pending("Decide with a broken escape");
    for (String accept : new String[] {"application/json", "text/html"}) {
      HttpResponse<String> r = post("/review/" + link.id() + "/decide",
          decision(link, "decision", "approved") + "&note=%ZZ", accept, null);
      assertThat(r.statusCode()).isEqualTo(400);
    }
    HttpResponse<String> text = app.raw(app.builder("/review/" + link.id() + "/decide", null)
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(decision(link, "decision", "approved"))));
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(interrupt(link.id()).path("status").asText()).isEqualTo("pending");
  }
}
