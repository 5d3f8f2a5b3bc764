package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspaces as a new server's users meet them: no admin user configured, the admin key's
 * interrupts waiting, the first user to register becomes the default workspace's admin and
 * sees them; a reviewer invited by link decides, a viewer cannot, another workspace's user
 * gets 404. In order: each step builds on the one before, like the README's walkthrough.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkspaceTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User ada;
  static User bob;
  static User carl;
  static final List<String> asked = new ArrayList<>();

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("auth.adminUser", ""),
        ConfigOverride.config("auth.adminPassword", "")).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  @Order(1)
  void givenInterruptsOfTheAdminKey_whenTheFirstUserRegisters_thenItAdministersThemAndSeesThem() {
    for (String action : List.of("Refund order #1", "Delete bucket logs-2024")) {
      Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user", action));
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      asked.add(created.text("interruptId"));
    }

    ada = ids.newUser("ada");

    Resp mine = ids.bearer("GET", "/api/workspaces", ada.token(), null);
    assertThat(mine.status()).isEqualTo(200);
    assertThat(mine.body()).hasSize(2);
    JsonNode current = current(mine.body());
    assertThat(current.path("id").asText()).isEqualTo("admin");
    assertThat(current.path("name").asText()).isEqualTo("Default");
    assertThat(current.path("role").asText()).isEqualTo("admin");
    // The dashboard's inbox (session cookie) and every dialect show the admin key's asks.
    HttpResponse<String> inbox = app.raw(HttpRequest.newBuilder(
        java.net.URI.create(app.base() + "/")).header("Cookie", "loopat_session=" + ada.token())
        .GET());
    assertThat(inbox.statusCode()).isEqualTo(200);
    assertThat(inbox.body()).contains("Refund order #1", "Delete bucket logs-2024");
    Resp list = ids.bearer("GET", "/api/requests?status=pending", ada.token(), null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().path("requests").findValuesAsText("id")).containsAll(asked);
  }

  @Test
  @Order(2)
  void givenTheSecondUser_whenItRegisters_thenItHasOnlyItsOwnWorkspace() {
    bob = ids.newUser("bob");
    Resp mine = ids.bearer("GET", "/api/workspaces", bob.token(), null);
    assertThat(mine.body()).hasSize(1);
    assertThat(current(mine.body()).path("id").asText()).isEqualTo(bob.id());
    assertThat(ids.bearer("GET", "/interrupts/" + asked.get(0), bob.token(), null).status())
        .isEqualTo(404);
  }

  @Test
  @Order(3)
  void givenAnInvitationAsReviewer_whenBobJoins_thenHeSeesAndDecidesAndIsNamedAsDecider() {
    Resp invitation = ids.bearer("POST", "/api/workspaces/current/invitations", ada.token(),
        Map.of("role", "reviewer"));
    assertThat(invitation.status()).as(invitation.raw().body()).isEqualTo(201);
    String token = invitation.text("token");
    assertThat(invitation.text("link")).endsWith("/invite/" + token);

    String tampered = token.substring(0, token.length() - 2)
        + (token.endsWith("AA") ? "BB" : "AA");
    assertThat(ids.bearer("POST", "/api/workspaces/join", bob.token(), Map.of("token", tampered))
        .status()).isEqualTo(404);
    Resp joined = ids.bearer("POST", "/api/workspaces/join", bob.token(), Map.of("token", token));
    assertThat(joined.status()).as(joined.raw().body()).isEqualTo(200);
    assertThat(joined.text("id")).isEqualTo("admin");
    assertThat(joined.text("role")).isEqualTo("reviewer");
    Resp again = ids.bearer("POST", "/api/workspaces/join", ada.token(), Map.of("token", token));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("error")).isEqualTo("This invitation was used already");

    Resp seen = ids.bearer("GET", "/interrupts/" + asked.get(0), bob.token(), null);
    assertThat(seen.status()).isEqualTo(200);
    Resp decided = ids.bearer("POST", "/interrupts/" + asked.get(0) + "/decide", bob.token(),
        Map.of("decision", "approved", "reason", "Refund is due"));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);

    Resp request = app.get("/api/requests/" + asked.get(0), ADMIN_KEY);
    assertThat(request.text("decidedBy")).isEqualTo(bob.username());
    Resp events = app.get("/interrupts/" + asked.get(0) + "/events", ADMIN_KEY);
    assertThat(events.body()).anySatisfy(e -> {
      assertThat(e.path("event").asText()).isEqualTo("approved");
      assertThat(e.path("actor").asText()).isEqualTo(bob.username());
    });
    // A reviewer manages no keys.
    assertThat(ids.bearer("POST", "/api/user/apikeys", bob.token(), Map.of()).status())
        .isEqualTo(403);
  }

  @Test
  @Order(4)
  void givenAViewerAddedByUsername_whenItDecides_thenRefusedButItReads() {
    carl = ids.newUser("carl");
    Resp added = ids.bearer("POST", "/api/workspaces/current/members", ada.token(),
        Map.of("username", carl.username(), "role", "viewer"));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    assertThat(ids.bearer("POST", "/api/workspaces/current/members", bob.token(),
        Map.of("username", carl.username(), "role", "admin")).status()).isEqualTo(403);
    Resp switched = ids.bearer("POST", "/api/workspaces/current", carl.token(),
        Map.of("workspace", "admin"));
    assertThat(switched.status()).as(switched.raw().body()).isEqualTo(200);
    assertThat(switched.text("role")).isEqualTo("viewer");

    Resp read = ids.bearer("GET", "/interrupts/" + asked.get(1), carl.token(), null);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().path("reviewUrl").isNull())
        .as("a viewer gets no review link: the link itself decides").isTrue();
    assertThat(ids.bearer("GET", "/interrupts/" + asked.get(1), bob.token(), null)
        .text("reviewUrl")).contains("/review/" + asked.get(1) + "?token=");
    Resp refused = ids.bearer("POST", "/interrupts/" + asked.get(1) + "/decide", carl.token(),
        Map.of("decision", "approved"));
    assertThat(refused.status()).isEqualTo(403);
    Resp agentGate = ids.bearer("POST", "/api/requests/" + asked.get(1) + "/decide",
        carl.token(), Map.of("decision", "approved"));
    assertThat(agentGate.status()).isEqualTo(403);
    assertThat(app.get("/interrupts/" + asked.get(1), ADMIN_KEY).text("status"))
        .isEqualTo("pending");
  }

  @Test
  @Order(5)
  void givenTheLastAdmin_whenDemotedOrRemoved_thenRefused() {
    Resp demoted = ids.bearer("PATCH", "/api/workspaces/current/members/" + ada.id(),
        ada.token(), Map.of("role", "viewer"));
    assertThat(demoted.status()).isEqualTo(409);
    assertThat(demoted.text("error"))
        .isEqualTo("A workspace needs an admin: make someone else admin first");
    assertThat(ids.bearer("DELETE", "/api/workspaces/current/members/" + ada.id(), ada.token(),
        null).status()).isEqualTo(409);

    Resp members = ids.bearer("GET", "/api/workspaces/current/members", bob.token(), null);
    assertThat(members.body().findValuesAsText("username"))
        .contains(ada.username(), bob.username(), carl.username());
    assertThat(members.body().findValuesAsText("role")).contains("admin", "reviewer", "viewer");
  }

  @Test
  @Order(6)
  void givenAGroup_whenMembersAreAddedAndRemoved_thenListedByUsername() {
    assertThat(ids.bearer("POST", "/api/workspaces/current/groups", ada.token(),
        Map.of("name", "finance")).status()).isEqualTo(201);
    assertThat(ids.bearer("POST", "/api/workspaces/current/groups", ada.token(),
        Map.of("name", "Finance")).status()).isEqualTo(409);
    Resp added = ids.bearer("POST", "/api/workspaces/current/groups/finance/members",
        ada.token(), Map.of("username", bob.username()));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(200);
    assertThat(added.body().path("members").get(0).asText()).isEqualTo(bob.username());
    // Only members of the workspace can be in its groups.
    User stranger = ids.newUser("stranger");
    assertThat(ids.bearer("POST", "/api/workspaces/current/groups/finance/members", ada.token(),
        Map.of("username", stranger.username())).status()).isEqualTo(404);
    Resp removed = ids.bearer("DELETE", "/api/workspaces/current/groups/finance/members/"
        + bob.username(), ada.token(), null);
    assertThat(removed.body().path("members")).isEmpty();
    assertThat(ids.bearer("DELETE", "/api/workspaces/current/groups/finance", ada.token(), null)
        .status()).isEqualTo(204);
  }

  @Test
  @Order(7)
  void givenAnApiKey_whenItAsksForWorkspaces_thenRefused() {
    assertThat(app.get("/api/workspaces", ADMIN_KEY).status()).isEqualTo(403);
  }

  @Test
  @Order(8)
  void givenAPerson_whenDecidingThroughAgentGateUnderAnotherName_thenTheirOwnNameIsRecorded() {
    Resp decided = ids.bearer("POST", "/api/requests/" + asked.get(1) + "/decide", bob.token(),
        Map.of("decision", "denied", "decidedBy", ada.username()));
    assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);
    assertThat(decided.text("decidedBy")).isEqualTo(bob.username());
    assertThat(app.get("/api/requests/" + asked.get(1), ADMIN_KEY).text("decidedBy"))
        .isEqualTo(bob.username());
  }

  private static JsonNode current(JsonNode workspaces) {
    for (JsonNode w : workspaces) {
      if (w.path("current").asBoolean()) {
        return w;
      }
    }
    throw new AssertionError("no current workspace in " + workspaces);
  }
}
