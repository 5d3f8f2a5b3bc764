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
 * admin opens keys, policies and webhooks), and routing and quorums in the inbox and on
 * the review page (what asks the user first, "Only finance may decide", "1 of 2 approvals",
 * "You approved; waiting for 1 more"). {@code WorkspaceBrowserTest} walks an invitation and
 * a quorum in Chromium.
 */
class WorkspacePagesTest {

  /** The default workspace: the admin key's, administered by the first user. */
  static final String DEFAULT = "admin";

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User admin;
  static String adminKey;

  /** The configured admin user (test-config.yml): the default workspace's admin. */
  static final String ADMIN_USER = "test-admin";
  static final String ADMIN_PASSWORD = "test-admin-password";

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
    admin = ids.existingUser(ADMIN_USER, ADMIN_PASSWORD);
    adminKey = TestApp.ADMIN_KEY; // its interrupts are the default workspace's
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
    HttpResponse<String> decided = post("/review/" + id + "/decide", viewer, "csrf",
        forgedReviewCsrf(id, viewer), "decision", "approved");
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

  // Routing and quorums

  @Test
  void givenRequestsAskingTheUser_whenInboxShown_thenAssignedToYouComesFirstWithCounts() {
    User ann = ids.newUser("ann");
    joinDefault(ann, "reviewer");
    String team = group("team", ann);
    String other = "Archive the 2019 invoices " + Identities.unique("arch");
    createInterrupt(other);
    String byName = "Call the customer back " + Identities.unique("call");
    String byNameId = createRouted(byName, ann.username(), List.of(), 1);
    String byGroup = "Refund the duplicate charge " + Identities.unique("refund");
    String byGroupId = createRouted(byGroup, "end-user", List.of(team), 1);

    String inbox = html("/", ann);
    int assigned = inbox.indexOf("<h2 id=\"inbox-assigned-h\" class=\"section-h\">Assigned to you"
        + " <span class=\"muted count\">(2)</span></h2>");
    int everything = inbox.indexOf("<h2 id=\"inbox-everything-h\" class=\"section-h\">Everything"
        + " you may decide <span class=\"muted count\">(");
    assertThat(assigned).as("the assigned section, first").isPositive();
    assertThat(everything).as("everything else, after it").isGreaterThan(assigned);
    assertThat(inbox.indexOf(byName)).isBetween(assigned, everything);
    assertThat(inbox.indexOf(byGroup)).isBetween(assigned, everything);
    assertThat(inbox.indexOf(other)).isGreaterThan(everything);
    // The second heading counts what its list holds (other tests add to this workspace).
    Matcher count = Pattern.compile("Everything you may decide <span class=\"muted count\">"
        + "\\((\\d+)\\)</span>").matcher(inbox);
    assertThat(count.find()).isTrue();
    assertThat(items(inbox.substring(everything))).isEqualTo(Integer.parseInt(count.group(1)));
    assertThat(items(inbox.substring(assigned, everything))).isEqualTo(2);

    // Who each is for, in words.
    assertThat(item(inbox, byGroupId)).contains("<span class=\"routing-for\">For " + team
        + "</span>", "data-decide=\"approved\"").doesNotContain("approvals");
    assertThat(item(inbox, byNameId)).contains("<span class=\"routing-asked\">Asked: "
        + ann.username() + "</span>").doesNotContain("routing-for");

    // The lists inbox.js reloads when something changes: the same sections.
    String live = html("/ui/inbox", ann);
    assertThat(live).contains("Assigned to you <span class=\"muted count\">(2)</span>",
        "Everything you may decide");
    assertThat(live.indexOf(byGroup)).isLessThan(live.indexOf("Everything you may decide"));

    // Someone nothing asks: one list, without an empty "Assigned to you".
    User zed = ids.newUser("zed");
    joinDefault(zed, "reviewer");
    assertThat(html("/", zed)).contains(other, byName, byGroup)
        .doesNotContain("Assigned to you", "Everything you may decide", "section-h");
  }

  @Test
  void givenTwoApprovalsForFinance_whenOneApprovesOnTheDashboard_thenItWaitsWithTheCount()
      throws Exception {
    User fin1 = ids.newUser("fin1");
    User fin2 = ids.newUser("fin2");
    User outsider = ids.newUser("outsider");
    for (User u : List.of(fin1, fin2, outsider)) {
      joinDefault(u, "reviewer");
    }
    String finance = group("finance", fin1, fin2);
    String action = "Pay invoice 4711 ($4,200) " + Identities.unique("pay");
    String id = createRouted(action, "ap-clerk", List.of(finance), 2);
    String reviewPath = "/review/" + id;

    // Before anyone approves: finance and admins may decide; the count starts at nought.
    assertThat(item(html("/", fin1), id)).contains("For " + finance, "Asked: ap-clerk",
        "<span class=\"quorum\">0 of 2 approvals</span>", "data-decide=\"approved\"",
        "class=\"pick\"");
    assertThat(item(html("/", admin), id)).contains("data-decide=\"approved\"");

    // A reviewer outside finance: read-only, here and on the review page.
    String outside = item(html("/", outsider), id);
    assertThat(outside).contains("<span class=\"only-who\">Only " + finance
        + " may decide</span>", "href=\"" + reviewPath + "\" aria-label=\"Open: ")
        .doesNotContain("data-decide=", "class=\"pick\"");
    assertThat(html(reviewPath, outsider)).contains(action, "0 of 2 approvals",
        "<p class=\"muted\" id=\"read-only\">Only " + finance + " may decide</p>")
        .doesNotContain("id=\"decide\"", "Review link", "?token=");
    // A decision it posts anyway, with a valid token: the service's refusal, on the page.
    HttpResponse<String> forged = post(reviewPath + "/decide", outsider, "csrf",
        forgedReviewCsrf(id, outsider), "decision", "approved");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(forged.body()).contains("<p class=\"error\" role=\"alert\">This interrupt is for "
        + finance + ": only they or an admin may decide it</p>", "<h1 id=\"title\">");
    JsonNode refused = dashboardDecide(outsider, id, "approved");
    assertThat(refused.path("ok").asBoolean()).isFalse();
    assertThat(refused.path("code").asInt()).isEqualTo(403);
    assertThat(refused.path("error").asText()).contains("only they or an admin may decide");

    // The first approval, with the dashboard's button: recorded, and it still waits.
    JsonNode first = dashboardDecide(fin1, id, "approved");
    assertThat(first.path("ok").asBoolean()).as(first.toString()).isTrue();
    assertThat(first.path("status").asText()).isEqualTo("pending");
    String oneOfTwo = "1 of 2 approvals (" + fin1.username() + ")";
    assertThat(first.path("quorum").asText()).isEqualTo(oneOfTwo);
    assertThat(app.get("/interrupts/" + id, adminKey).text("status")).isEqualTo("pending");

    // Its approver sees the count and that it waits, and may still reject, not approve.
    String mine = item(html("/", fin1), id);
    assertThat(mine).contains("<span class=\"quorum\">" + oneOfTwo + "</span>",
        "<span class=\"waiting\">You approved; waiting for 1 more</span>",
        "data-decide=\"rejected\"").doesNotContain("data-decide=\"approved\"");
    String review = html(reviewPath, fin1);
    assertThat(review).contains("<p id=\"quorum\">" + oneOfTwo + "</p>",
        "<li><strong>" + fin1.username() + "</strong> <time datetime=\"",
        "<p id=\"approved-waiting\" class=\"waiting\" role=\"status\">You approved; waiting for"
            + " 1 more</p>", "value=\"rejected\"")
        .doesNotContain("value=\"approved\"", "id=\"params\"");
    // Approving again (a stale form) is refused, and the page says why.
    HttpResponse<String> again = post(reviewPath + "/decide", fin1, "csrf",
        reviewCsrf(review), "decision", "approved");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("You have already approved this interrupt",
        "You approved; waiting for 1 more");
    // The others see the count, and finance still the button.
    assertThat(item(html("/", fin2), id)).contains(oneOfTwo, "data-decide=\"approved\"");
    assertThat(item(html("/", outsider), id)).contains(oneOfTwo, "Only " + finance);

    // The second approval, with the review page's form (no script): it settles, and the
    // request leaves every inbox.
    String fin2Review = html(reviewPath, fin2);
    assertRedirect(post(reviewPath + "/decide", fin2, "csrf", reviewCsrf(fin2Review),
        "decision", "approved"), reviewPath);
    assertThat(app.get("/interrupts/" + id, adminKey).text("status")).isEqualTo("approved");
    assertThat(html(reviewPath, fin2)).contains("<h2>Approved</h2>", "2 of 2 approvals ("
        + fin1.username() + ", " + fin2.username() + ")");
    for (User u : List.of(fin1, fin2, outsider)) {
      assertThat(html("/", u)).as(u.username()).doesNotContain(action);
    }

    // The review page's script reads the same as JSON: still pending after one approval.
    String second = createRouted("Pay invoice 4712 " + Identities.unique("pay"), "ap-clerk",
        List.of(finance), 2);
    HttpResponse<String> json = app.raw(app.builder("/review/" + second + "/decide", null)
        .header("Cookie", "loopat_session=" + fin2.token())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("decision=approved&csrf=" + URLEncoder.encode(
            reviewCsrf(html("/review/" + second, fin2)), StandardCharsets.UTF_8))));
    assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
    JsonNode state = TestApp.JSON.readTree(json.body());
    assertThat(state.path("pending").asBoolean()).isTrue();
    assertThat(state.path("status").asText()).isEqualTo("pending");
    assertThat(state.path("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(state.path("quorum").asText()).isEqualTo("1 of 2 approvals (" + fin2.username()
        + ")");
    assertThat(state.path("approvals").get(0).path("by").asText()).isEqualTo(fin2.username());
    assertThat(state.path("approvals").get(0).path("at").asText()).isNotBlank();
  }

  @Test
  void givenRoutingWithMarkup_whenShown_thenItIsText() {
    User reader = ids.newUser("reader");
    joinDefault(reader, "reviewer");
    String action = "Close the <script> ticket " + Identities.unique("close");
    String id = createRouted(action, "<i>carl</i>", List.of("<b>ops</b>"), 3);
    String inbox = item(html("/", reader), id);
    assertThat(inbox).contains("For &lt;b&gt;ops&lt;/b&gt;", "Asked: &lt;i&gt;carl&lt;/i&gt;",
        "Only &lt;b&gt;ops&lt;/b&gt; may decide", "0 of 3 approvals")
        .doesNotContain("<b>", "<i>", "<script>");
    String review = html("/review/" + id, reader);
    assertThat(review).contains("For &lt;b&gt;ops&lt;/b&gt;", "Only &lt;b&gt;ops&lt;/b&gt; may"
        + " decide").doesNotContain("<b>ops", "<i>carl", "<script> ticket");
  }

  /** A reviewer group of the default workspace with these members; returns its name. */
  static String group(String base, User... members) {
    String name = Identities.unique(base);
    Resp created = ids.bearer("POST", "/api/workspaces/current/groups", admin.token(),
        Map.of("name", name));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    for (User m : members) {
      Resp added = ids.bearer("POST", "/api/workspaces/current/groups/" + name + "/members",
          admin.token(), Map.of("username", m.username()));
      assertThat(added.status()).as(added.raw().body()).isEqualTo(200);
    }
    return name;
  }

  /** A LoopIn interrupt of the admin key asking {@code userId}, routed and with a quorum. */
  static String createRouted(String action, String userId, List<String> reviewers,
      int required) {
    Resp r = app.post("/interrupts", adminKey, TestApp.interrupt(userId, action,
        "reviewers", reviewers, "requiredApprovals", required));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  /** One interrupt's item in an inbox page. */
  static String item(String html, String id) {
    Matcher m = Pattern.compile("<li class=\"item [^\"]*\" data-id=\"" + Pattern.quote(id)
        + "\">.*?</li>", Pattern.DOTALL).matcher(html);
    assertThat(m.find()).as("the inbox item of " + id).isTrue();
    return m.group();
  }

  static int items(String html) {
    return (int) Pattern.compile("<li class=\"item ").matcher(html).results().count();
  }

  /** One decision as the inbox's buttons send it (inbox.js); its one result. */
  static JsonNode dashboardDecide(User user, String id, String decision) {
    Matcher token = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(html("/", user));
    assertThat(token.find()).isTrue();
    Resp r = app.send(app.builder("/ui/decide", null)
        .header("Cookie", "loopat_session=" + user.token())
        .header("X-CSRF-Token", token.group(1))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[\"" + id
            + "\"],\"decision\":\"" + decision + "\"}")));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.body().path("results").get(0);
  }

  /** The CSRF token of a review page's decide form. */
  static String reviewCsrf(String html) {
    Matcher m = Pattern.compile("<form id=\"decide\"[^>]*>\\s*<input type=\"hidden\""
        + " name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a decide form").isTrue();
    return m.group(1);
  }

  /**
   * The token a review page's form would carry for this user, made with the server's
   * secret: what a forged post needs when the page shows the user no form.
   */
  static String forgedReviewCsrf(String id, User user) {
    String secret = app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'review_link_secret'")
        .mapTo(String.class).one());
    return new ReviewLinks(secret, "http://interlock.test", Duration.ZERO, Clock.systemUTC())
        .csrf("review:" + id, "session\n" + user.token());
  }
}
