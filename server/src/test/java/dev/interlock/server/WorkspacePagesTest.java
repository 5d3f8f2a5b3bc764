package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.ReviewLinks;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * The dashboard's workspace pages over plain HTTP, as a browser without JavaScript uses
 * them: the members page (add by username, change a role, keep an admin), invitations
 * (create, open, join, used, expired, revoked), the workspace switcher, reviewer groups,
 * and what a role may do on the existing pages (a viewer sees but does not decide; only an
 * admin opens keys, policies and webhooks). {@code WorkspaceBrowserTest} walks an
 * invitation in Chromium.
 */
class WorkspacePagesTest {

  /** The default workspace: the admin key's, administered by the first user. */
  static final String DEFAULT = "admin";

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User admin;
  static String adminKey;

  @BeforeAll
  static void start() {
    // No configured admin user: the first user to register administers the default workspace.
    app = new TestApp(data, io.dropwizard.testing.ConfigOverride.config("auth.adminUser", ""),
        io.dropwizard.testing.ConfigOverride.config("auth.adminPassword", "")).start();
    ids = new Identities(app);
    admin = ids.newUser("admin"); // the first user: admin of the default workspace
    adminKey = ids.rawKey(admin, Map.of("label", "ops-agent"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // Helpers: pages, forms and the CSRF tokens in them

  static HttpResponse<String> page(String path, User user) {
    HttpRequest.Builder b = app.builder(path, null).header("Accept", "text/html");
    if (user != null) {
      b.header("Cookie", "loopat_session=" + user.token());
    }
    return app.raw(b.GET());
  }

  /** A page that must answer 200. */
  static String html(String path, User user) {
    HttpResponse<String> r = page(path, user);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  static HttpResponse<String> post(String path, User user, String... pairs) {
    Map<String, String> form = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      form.put(pairs[i], pairs[i + 1]);
    }
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest.Builder b = app.builder(path, null)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html");
    if (user != null) {
      b.header("Cookie", "loopat_session=" + user.token());
    }
    return app.raw(b.POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** A form post with these headers besides (what a browser says about where it is from). */
  static HttpResponse<String> postFrom(Map<String, String> headers, String path, User user,
      String... pairs) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      body.append(body.length() == 0 ? "" : "&")
          .append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    HttpRequest.Builder b = app.builder(path, null)
        .header("Cookie", "loopat_session=" + user.token())
        .header("Content-Type", "application/x-www-form-urlencoded");
    headers.forEach(b::header);
    return app.raw(b.POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /** The CSRF token of the form that posts to {@code action} on this page. */
  static String csrf(String html, String action) {
    Matcher m = Pattern.compile("action=\"" + Pattern.quote(action)
        + "\"[^>]*><input type=\"hidden\" name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a form posting to " + action).isTrue();
    return m.group(1);
  }

  /** Posts a form of the page at {@code pagePath} with that page's CSRF token. */
  static HttpResponse<String> submit(User user, String pagePath, String action,
      String... pairs) {
    String token = csrf(html(pagePath, user), action);
    String[] all = new String[pairs.length + 2];
    all[0] = "csrf";
    all[1] = token;
    System.arraycopy(pairs, 0, all, 2, pairs.length);
    return post(action, user, all);
  }

  static String location(HttpResponse<String> r) {
    URI u = URI.create(r.headers().firstValue("Location").orElseThrow());
    return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  static void assertRedirect(HttpResponse<String> r, String to) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(location(r)).isEqualTo(to);
  }

  /** The members of the user's current workspace, by username, as the JSON API says. */
  static Map<String, String> roles(User user) {
    Resp r = ids.bearer("GET", "/api/workspaces/current/members", user.token(), null);
    assertThat(r.status()).isEqualTo(200);
    Map<String, String> roles = new LinkedHashMap<>();
    r.body().forEach(m -> roles.put(m.path("username").asText(), m.path("role").asText()));
    return roles;
  }

  /** Adds a user to the default workspace with a role, and makes it work there. */
  static void joinDefault(User user, String role) {
    Resp added = ids.bearer("POST", "/api/workspaces/current/members", admin.token(),
        Map.of("username", user.username(), "role", role));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    Resp switched = ids.bearer("POST", "/api/workspaces/current", user.token(),
        Map.of("workspace", DEFAULT));
    assertThat(switched.status()).as(switched.raw().body()).isEqualTo(200);
  }

  static String createInterrupt(String action) {
    Resp r = app.post("/interrupts", adminKey, TestApp.interrupt("user-ann", action));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  /** The options of the workspace switcher in a page's header: value to label. */
  static Map<String, String> switcher(String html) {
    Matcher select = Pattern.compile("<select id=\"ws-select\"[^>]*>(.*?)</select>")
        .matcher(html);
    if (!select.find()) {
      return Map.of();
    }
    Map<String, String> options = new LinkedHashMap<>();
    Matcher o = Pattern.compile("<option value=\"([^\"]+)\"[^>]*>([^<]*)</option>")
        .matcher(select.group(1));
    while (o.find()) {
      options.put(o.group(1), o.group(2));
    }
    return options;
  }

  static String selectedWorkspace(String html) {
    Matcher m = Pattern.compile("<option value=\"([^\"]+)\" selected>").matcher(
        html.substring(html.indexOf("id=\"ws-select\"")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  // Members

  @Test
  void givenAdmin_whenMembersAddedAndChanged_thenPageShowsThemAndKeepsAnAdmin() {
    User bob = ids.newUser("bob");
    String members = html("/ui/members", admin);
    assertThat(members).contains("<h1>Members</h1>", admin.username() + " <span class=\"muted\">(you)</span>",
        "action=\"/ui/members\"", "action=\"/ui/invitations\"");

    assertRedirect(submit(admin, "/ui/members", "/ui/members", "username", bob.username(),
        "role", "viewer"), "/ui/members");
    assertThat(roles(admin)).containsEntry(bob.username(), "viewer");
    assertThat(html("/ui/members", admin)).contains(bob.username());

    assertRedirect(submit(admin, "/ui/members", "/ui/members/role", "userId", bob.id(),
        "role", "reviewer"), "/ui/members");
    assertThat(roles(admin)).containsEntry(bob.username(), "reviewer");

    // The last admin cannot step down: the service's reason, on the page, not as JSON.
    HttpResponse<String> demoted = submit(admin, "/ui/members", "/ui/members/role",
        "userId", admin.id(), "role", "viewer");
    assertThat(demoted.statusCode()).isEqualTo(409);
    assertThat(demoted.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(demoted.body()).contains("<p class=\"error\" role=\"alert\" id=\"page-error\">"
        + "A workspace needs an admin: make someone else admin first</p>", "<h1>Members</h1>");
    assertThat(roles(admin)).containsEntry(admin.username(), "admin");
    // Nor be removed.
    HttpResponse<String> removed = submit(admin, "/ui/members", "/ui/members/remove",
        "userId", admin.id());
    assertThat(removed.statusCode()).isEqualTo(409);
    assertThat(removed.body()).contains("A workspace needs an admin");

    // Someone who has no account: said so, and the username stays in the form.
    HttpResponse<String> unknown = submit(admin, "/ui/members", "/ui/members",
        "username", "nobody-at-all", "role", "reviewer");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("No user is named nobody-at-all",
        "value=\"nobody-at-all\"");

    // A form without its token changes nothing.
    HttpResponse<String> forged = post("/ui/members/remove", admin, "userId", bob.id());
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("This form could not be verified");
    String removeCsrf = csrf(html("/ui/members", admin), "/ui/members/remove");
    assertThat(postFrom(Map.of("Origin", "https://evil.example"), "/ui/members/remove", admin,
        "csrf", removeCsrf, "userId", bob.id()).statusCode()).isEqualTo(403);
    // An opaque origin from another site (a sandboxed frame) is refused too.
    assertThat(postFrom(Map.of("Origin", "null", "Sec-Fetch-Site", "cross-site"),
        "/ui/members/remove", admin, "csrf", removeCsrf, "userId", bob.id()).statusCode())
        .isEqualTo(403);
    assertThat(roles(admin)).containsKey(bob.username());

    // What Chromium sends with a form from our pages (their referrer policy is no-referrer).
    assertRedirect(postFrom(Map.of("Origin", "null", "Sec-Fetch-Site", "same-origin"),
        "/ui/members/remove", admin, "csrf", removeCsrf, "userId", bob.id()), "/ui/members");
    assertThat(roles(admin)).doesNotContainKey(bob.username());
    assertThat(html("/ui/members", admin)).doesNotContain(bob.username());

    // Without a session: the login page, coming back here.
    assertRedirect(page("/ui/members", null), "/ui/login?next=%2Fui%2Fmembers");
  }

  @Test
  void givenUsernameWithMarkup_whenShownOnThePages_thenItIsText() {
    User marked = ids.newUser("<b>x</b>");
    assertThat(marked.username()).startsWith("<b>x</b>");
    joinDefault(marked, "reviewer");
    String escaped = marked.username().replace("<", "&lt;").replace(">", "&gt;");

    String members = html("/ui/members", admin);
    assertThat(members).contains("<td class=\"member-name\">" + escaped + "</td>",
        "aria-label=\"Remove " + escaped + "\"").doesNotContain(marked.username());

    assertRedirect(submit(admin, "/ui/groups", "/ui/groups", "name", "<i>ops</i>"),
        "/ui/groups");
    assertRedirect(submit(admin, "/ui/groups", "/ui/groups/members", "group", "<i>ops</i>",
        "username", marked.username()), "/ui/groups");
    String groups = html("/ui/groups", admin);
    assertThat(groups).contains("<h2 id=\"group-0-h\">&lt;i&gt;ops&lt;/i&gt;</h2>",
        "<span class=\"member-name\">" + escaped + "</span>")
        .doesNotContain(marked.username(), "<i>ops</i>");
    // Its own header shows its name as text too.
    assertThat(html("/", marked)).contains("<span class=\"who\">" + escaped + "</span>")
        .doesNotContain(marked.username());
    assertRedirect(submit(admin, "/ui/groups", "/ui/groups/delete", "group", "<i>ops</i>"),
        "/ui/groups");
  }

  // Invitations and the switcher

  @Test
  void givenInvitation_whenSecondUserJoins_thenSwitcherListsBothAndSwitchingShowsTheOtherInbox() {
    String action = "Approve the Q3 budget " + Identities.unique("q3");
    createInterrupt(action);

    HttpResponse<String> created = submit(admin, "/ui/members", "/ui/invitations",
        "inviteRole", "reviewer", "lifetime", "2", "unit", "days");
    assertThat(created.statusCode()).isEqualTo(303);
    assertThat(location(created)).startsWith("/ui/members?invitation=");
    String shown = html(location(created), admin);
    Matcher link = Pattern.compile("id=\"new-invitation\" type=\"text\" readonly value=\"([^\"]+)\"")
        .matcher(shown);
    assertThat(link.find()).as("the new invitation's link, to copy").isTrue();
    assertThat(link.group(1)).startsWith("http://interlock.test/invite/");
    String invite = URI.create(link.group(1)).getRawPath();
    assertThat(shown).contains("join as <strong>Reviewer</strong>");

    // Not logged in: who invites to what, and the login form that comes back here.
    HttpResponse<String> anonymous = page(invite, null);
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.body()).contains("<h1 id=\"invite-h\">Join Default as reviewer</h1>",
        "<form id=\"login\"", "data-next=\"" + invite + "\"", "/ui/static/login.js")
        .doesNotContain("id=\"join\"");

    // A user who registered through /api/auth/register, logged in: one button to join.
    User carol = ids.newUser("carol");
    assertThat(switcher(html("/", carol))).as("one workspace: no switcher").isEmpty();
    assertThat(html("/", carol)).contains("<span class=\"ws-name\" title=\"Workspace\">"
        + carol.username() + "</span>").doesNotContain(action);
    String joinPage = html(invite, carol);
    assertThat(joinPage).contains("Join Default as reviewer", "id=\"join\"",
        "You are logged in as <strong>" + carol.username() + "</strong>");
    HttpResponse<String> withoutToken = post(invite, carol);
    assertThat(withoutToken.statusCode()).isEqualTo(403);
    assertRedirect(post(invite, carol, "csrf", csrf(joinPage, invite)), "/");

    // Now in the default workspace, as a reviewer: its inbox, and both workspaces to pick.
    String inbox = html("/", carol);
    assertThat(inbox).contains(action, "data-decide=\"approved\"",
        "<span class=\"badge role role-reviewer\" title=\"Your role in this workspace\">"
            + "Reviewer</span>");
    assertThat(switcher(inbox)).containsOnlyKeys(DEFAULT, carol.id())
        .containsEntry(DEFAULT, "Default (reviewer)")
        .containsEntry(carol.id(), carol.username() + " (admin)");
    assertThat(selectedWorkspace(inbox)).isEqualTo(DEFAULT);

    // The link worked once.
    HttpResponse<String> again = page(invite, ids.newUser("late"));
    assertThat(again.statusCode()).isEqualTo(410);
    assertThat(again.body()).contains("This invitation was used already");
    assertThat(html("/ui/members", admin)).contains(carol.username(),
        "<span class=\"badge status-approved\">Used</span> <span class=\"muted\">by "
            + carol.username() + "</span>");

    // Switching: back where it came from, in its own workspace's inbox.
    HttpResponse<String> switched = submit(carol, "/ui/history", "/ui/workspace",
        "workspace", carol.id(), "next", "/ui/history");
    assertRedirect(switched, "/ui/history");
    String own = html("/", carol);
    assertThat(own).doesNotContain(action);
    assertThat(selectedWorkspace(own)).isEqualTo(carol.id());
    assertThat(own).contains("role-admin");
    // A workspace it does not belong to: refused, and it stays where it is.
    HttpResponse<String> foreign = submit(carol, "/", "/ui/workspace", "workspace",
        admin.id(), "next", "/");
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).contains("Workspace not found");
    assertThat(selectedWorkspace(html("/", carol))).isEqualTo(carol.id());

    assertRedirect(submit(carol, "/", "/ui/workspace", "workspace", DEFAULT, "next", "/"), "/");
    assertThat(html("/", carol)).contains(action);
  }

  @Test
  void givenInvitationLinks_whenInvalidExpiredOrRevoked_thenClearPagesAndNobodyJoins() {
    User dan = ids.newUser("dan");
    assertThat(page("/invite/not-a-token", dan).statusCode()).isEqualTo(404);
    HttpResponse<String> tampered = page("/invite/" + java.util.UUID.randomUUID() + ".AAAA",
        null);
    assertThat(tampered.statusCode()).isEqualTo(404);
    assertThat(tampered.body()).contains("Invitation not valid");

    String expiring = newInvitation("viewer", "1", "hours");
    app.jdbi().useHandle(h -> h.execute(
        "update invitations set expires_at = now() - interval '1 minute' where id = ?",
        java.util.UUID.fromString(expiring.substring("/invite/".length()).split("\\.")[0])));
    HttpResponse<String> expired = page(expiring, dan);
    assertThat(expired.statusCode()).isEqualTo(410);
    assertThat(expired.body()).contains("This invitation has expired");

    String revoking = newInvitation("admin", "3", "hours");
    String id = revoking.substring("/invite/".length()).split("\\.")[0];
    String joinPage = html(revoking, dan);
    String members = html("/ui/members", admin);
    assertThat(members).contains("data-invitation=\"" + id + "\"");
    assertRedirect(post("/ui/invitations/revoke", admin, "csrf",
        csrf(members, "/ui/invitations/revoke"), "id", id), "/ui/members");
    assertThat(html("/ui/members", admin)).contains("Revoked");
    HttpResponse<String> revoked = page(revoking, dan);
    assertThat(revoked.statusCode()).isEqualTo(410);
    assertThat(revoked.body()).contains("This invitation was revoked");
    // The page opened before the revocation: its button is refused as well.
    HttpResponse<String> late = post(revoking, dan, "csrf", csrf(joinPage, revoking));
    assertThat(late.statusCode()).isEqualTo(410);
    assertThat(roles(admin)).doesNotContainKey(dan.username());

    // A lifetime out of range is explained on the page.
    HttpResponse<String> tooLong = submit(admin, "/ui/members", "/ui/invitations",
        "inviteRole", "reviewer", "lifetime", "31", "unit", "days");
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("An invitation works for 1 hour up to 30 days",
        "value=\"31\"");
  }

  /** Creates an invitation on the members page; returns its link's path. */
  static String newInvitation(String role, String lifetime, String unit) {
    HttpResponse<String> created = submit(admin, "/ui/members", "/ui/invitations",
        "inviteRole", role, "lifetime", lifetime, "unit", unit);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(303);
    Matcher link = Pattern.compile("id=\"new-invitation\" type=\"text\" readonly value=\"([^\"]+)\"")
        .matcher(html(location(created), admin));
    assertThat(link.find()).isTrue();
    return URI.create(link.group(1)).getRawPath();
  }

  // Roles on the existing pages

  @Test
  void givenViewer_whenInboxAndReviewPageShown_thenNoDecideButtonsAndForgedDecisionsRefused() {
    User viewer = ids.newUser("viewer");
    joinDefault(viewer, "viewer");
    String action = "Rotate the database password " + Identities.unique("rot");
    String id = createInterrupt(action);

    String inbox = html("/", viewer);
    assertThat(inbox).contains(action, "As a viewer in this workspace",
        "<span class=\"badge role role-viewer\"")
        .doesNotContain("data-decide=", "data-bulk=", "id=\"select-all\"", "class=\"pick\"");
    assertThat(html("/ui/inbox", viewer)).contains(action).doesNotContain("data-decide=");
    // Its navigation offers no admin pages; the members and groups pages are read-only.
    assertThat(inbox).contains("href=\"/ui/members\"", "href=\"/ui/groups\"")
        .doesNotContain("href=\"/ui/keys\"");

    // A decision it posts anyway, with a valid token, is refused and changes nothing.
    Matcher token = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(inbox);
    assertThat(token.find()).isTrue();
    Resp bulk = app.send(app.builder("/ui/decide", null)
        .header("Cookie", "loopat_session=" + viewer.token())
        .header("X-CSRF-Token", token.group(1))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[\"" + id
            + "\"],\"decision\":\"approved\"}")));
    assertThat(bulk.status()).isEqualTo(403);
    assertThat(bulk.text("error")).contains("viewer", "not decide");

    String review = html("/review/" + id, viewer);
    assertThat(review).contains(action, "As a viewer in this workspace you see this request",
        "Audit trail").doesNotContain("id=\"decide\"", "?token=", "Review link");
    String secret = app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'review_link_secret'")
        .mapTo(String.class).one());
    String forgedCsrf = new ReviewLinks(secret, "http://interlock.test", Duration.ZERO,
        Clock.systemUTC()).csrf("review:" + id, "session\n" + viewer.token());
    HttpResponse<String> decided = post("/review/" + id + "/decide", viewer, "csrf",
        forgedCsrf, "decision", "approved");
    assertThat(decided.statusCode()).isEqualTo(403);
    assertThat(decided.body()).contains("Your role in this workspace is viewer");
    assertThat(app.get("/interrupts/" + id, adminKey).text("status")).isEqualTo("pending");

    // A review link still decides, whoever holds it: the link, not the login, grants that.
    String link = app.get("/interrupts/" + id, adminKey).text("reviewUrl");
    URI u = URI.create(link);
    String withLink = html(u.getRawPath() + "?" + u.getRawQuery(), viewer);
    assertThat(withLink).contains("id=\"decide\"");

    for (String admins : List.of("/ui/keys", "/ui/policies", "/ui/webhooks")) {
      HttpResponse<String> r = page(admins, viewer);
      assertThat(r.statusCode()).as(admins).isEqualTo(403);
      assertThat(r.body()).contains("Only admins can open this page",
          "Your role here is viewer", "<nav aria-label=\"Main\">");
    }
    assertThat(page("/ui/keys", admin).statusCode()).isEqualTo(200);

    String members = html("/ui/members", viewer);
    assertThat(members).contains(admin.username(), viewer.username(),
        "Only the workspace's admins add, change and remove members")
        .doesNotContain("action=\"/ui/members\"", "action=\"/ui/invitations\"",
            "action=\"/ui/members/role\"");
    // A change it posts anyway (the switcher's token is for the same forms) is refused.
    HttpResponse<String> added = post("/ui/members", viewer, "csrf",
        csrf(members, "/ui/workspace"), "username", viewer.username(), "role", "admin");
    assertThat(added.statusCode()).isEqualTo(403);
    assertThat(added.body()).contains("Only an admin of this workspace may do that");
    assertThat(roles(admin)).containsEntry(viewer.username(), "viewer");
    assertThat(html("/ui/groups", viewer))
        .contains("Only the workspace's admins create groups")
        .doesNotContain("action=\"/ui/groups\"");
  }

  @Test
  void givenUserOfAnotherWorkspace_whenOpeningAReviewPageHere_thenNotFound() {
    String action = "Wire $90,000 to the new supplier " + Identities.unique("wire");
    String id = createInterrupt(action);
    User stranger = ids.newUser("stranger");
    HttpResponse<String> r = page("/review/" + id, stranger);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).doesNotContain(action);
    assertThat(html("/", stranger)).doesNotContain(action);
    assertThat(html("/review/" + id, admin)).contains(action, "id=\"decide\"", "Review link");
  }

  // Groups

  @Test
  void givenAdmin_whenGroupsCreatedFilledEmptiedAndDeleted_thenThePageFollows() {
    User frank = ids.newUser("frank");
    joinDefault(frank, "reviewer");
    String group = "finance " + Identities.unique("g");

    assertRedirect(submit(admin, "/ui/groups", "/ui/groups", "name", group), "/ui/groups");
    assertThat(html("/ui/groups", admin)).contains(">" + group + "</h2>", "Nobody is in this group yet");
    HttpResponse<String> twice = submit(admin, "/ui/groups", "/ui/groups", "name",
        group.toUpperCase());
    assertThat(twice.statusCode()).isEqualTo(409);
    assertThat(twice.body()).contains("exists already");

    assertRedirect(submit(admin, "/ui/groups", "/ui/groups/members", "group", group,
        "username", frank.username()), "/ui/groups");
    assertThat(groupsJson().path(group)).extracting(JsonNode::asText)
        .containsExactly(frank.username());
    assertThat(html("/ui/groups", admin)).contains("aria-label=\"Remove " + frank.username()
        + " from " + group + "\"");
    // Everyone in the workspace sees the groups; only admins change them.
    assertThat(html("/ui/groups", frank)).contains(group, frank.username())
        .doesNotContain("action=\"/ui/groups/members\"");

    HttpResponse<String> stranger = submit(admin, "/ui/groups", "/ui/groups/members",
        "group", group, "username", "nobody-at-all");
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(stranger.body()).contains("No member is named nobody-at-all");

    assertRedirect(submit(admin, "/ui/groups", "/ui/groups/members/remove", "group", group,
        "username", frank.username()), "/ui/groups");
    assertThat(groupsJson().path(group)).isEmpty();

    assertRedirect(submit(admin, "/ui/groups", "/ui/groups/delete", "group", group),
        "/ui/groups");
    assertThat(groupsJson().has(group)).isFalse();
    assertThat(html("/ui/groups", admin)).doesNotContain(group);
  }

  /** The default workspace's groups: name to members. */
  static JsonNode groupsJson() {
    Resp r = ids.bearer("GET", "/api/workspaces/current/groups", admin.token(), null);
    assertThat(r.status()).isEqualTo(200);
    var out = TestApp.JSON.createObjectNode();
    r.body().forEach(g -> out.set(g.path("name").asText(), g.path("members")));
    return out;
  }
}
