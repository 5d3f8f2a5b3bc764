package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's "done when", end to end over HTTP: the default workspace's admin builds a
 * finance group of three reviewers beside a viewer, a reviewer outside the group and a user
 * of another workspace; then an interrupt routed to finance that needs two approvals is
 * decided through each door (LoopIn, AgentGate, Loopgate, MCP, the dashboard), where the
 * first approval leaves it pending and names its giver, the same person again is refused,
 * people it does not ask or who may not decide are refused, and the second approval
 * settles it in that person's name. One of them is routed by an AgentGate policy. Then: the
 * first rejection settles, routing to one person, and {@code decidedBy} in callbacks and
 * webhooks.
 *
 * <p>In order: the people of step 1 decide in every later step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeopleWhoDecideTest {

  static final String WORKSPACE = "admin";
  static final String FINANCE = "finance";
  static final String ALREADY = "You have already approved this interrupt";
  static final String ONLY_FINANCE = "This interrupt is for finance: only they or an admin"
      + " may decide it";

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static CallbackReceiver receiver;
  static User admin;
  static User ann;
  static User bob;
  static User cat;
  static User vic;
  static User rita;
  static User oscar;
  static int policies;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
    receiver = new CallbackReceiver();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (app != null) {
      app.close();
    }
  }

  // 1. The people

  @Test
  @Order(1)
  void givenTheDefaultAdmin_whenItBuildsFinanceAndAddsPeople_thenEachWorksInTheDefaultWorkspace() {
    Resp login = ids.login("test-admin", "test-admin-password");
    assertThat(login.status()).as(login.raw().body()).isEqualTo(200);
    admin = new User("test-admin", login.text("user_id"), login.text("token"));

    ann = member("ann", "reviewer");
    bob = member("bob", "reviewer");
    cat = member("cat", "reviewer");
    rita = member("rita", "reviewer");
    vic = member("vic", "viewer");
    oscar = ids.newUser("oscar");

    Resp group = ids.bearer("POST", "/api/workspaces/current/groups", admin.token(),
        Map.of("name", FINANCE));
    assertThat(group.status()).as(group.raw().body()).isEqualTo(201);
    for (User u : List.of(ann, bob, cat)) {
      Resp added = ids.bearer("POST", "/api/workspaces/current/groups/" + FINANCE + "/members",
          admin.token(), Map.of("username", u.username()));
      assertThat(added.status()).as(added.raw().body()).isEqualTo(200);
    }

    Resp groups = ids.bearer("GET", "/api/workspaces/current/groups", admin.token(), null);
    assertThat(groups.status()).isEqualTo(200);
    assertThat(groups.body()).singleElement().satisfies(g -> {
      assertThat(g.path("name").asText()).isEqualTo(FINANCE);
      List<String> members = new ArrayList<>();
      g.path("members").forEach(m -> members.add(m.asText()));
      assertThat(members).containsExactlyInAnyOrder(ann.username(), bob.username(),
          cat.username());
    });
    Map<String, String> roles = new HashMap<>();
    ids.bearer("GET", "/api/workspaces/current/members", admin.token(), null).body()
        .forEach(m -> roles.put(m.path("username").asText(), m.path("role").asText()));
    assertThat(roles).containsEntry("test-admin", "admin")
        .containsEntry(ann.username(), "reviewer").containsEntry(bob.username(), "reviewer")
        .containsEntry(cat.username(), "reviewer").containsEntry(rita.username(), "reviewer")
        .containsEntry(vic.username(), "viewer").doesNotContainKey(oscar.username());
    for (User u : List.of(ann, bob, cat, rita, vic)) {
      assertThat(currentWorkspace(u)).as(u.username()).isEqualTo(WORKSPACE);
    }
    assertThat(currentWorkspace(oscar)).isEqualTo(oscar.id());
  }

  // 2. Two of three through each door

  @Test
  @Order(2)
  void givenTwoOfFinance_whenDecidedThroughLoopIn_thenAnnsApprovalWaitsForBobs() {
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-1", "Pay invoice 1001",
        "reviewers", List.of(FINANCE), "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("interruptId");
    String decide = "/interrupts/" + id + "/decide";
    Map<String, Object> approve = Map.of("decision", "approved");

    Resp first = ids.bearer("POST", decide, ann.token(), approve);
    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(first.text("status")).isEqualTo("pending");
    Resp seen = ids.bearer("GET", "/interrupts/" + id, ann.token(), null);
    assertThat(seen.text("status")).isEqualTo("pending");
    assertThat(seen.body().path("requiredApprovals").asInt()).isEqualTo(2);
    assertApprovedSoFarBy(seen.body().path("approvals"), ann);
    assertThat(seen.body().has("decidedBy")).isFalse();
    assertPendingWithAnnsApproval(id);

    Resp again = ids.bearer("POST", decide, ann.token(), approve);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("error")).isEqualTo(ALREADY);
    Resp notAsked = ids.bearer("POST", decide, rita.token(), approve);
    assertThat(notAsked.status()).isEqualTo(403);
    assertThat(notAsked.text("error")).isEqualTo(ONLY_FINANCE);
    assertThat(ids.bearer("POST", decide, vic.token(), approve).status()).isEqualTo(403);
    Resp stranger = ids.bearer("POST", decide, oscar.token(), approve);
    assertThat(stranger.status()).isEqualTo(404);
    assertThat(stranger.text("error")).isEqualTo("Interrupt not found");
    assertPendingWithAnnsApproval(id);

    Resp second = ids.bearer("POST", decide, bob.token(), approve);
    assertThat(second.status()).as(second.raw().body()).isEqualTo(200);
    assertThat(second.text("status")).isEqualTo("resolved");
    assertThat(second.text("decision")).isEqualTo("approved");
    Resp settled = ids.bearer("GET", "/interrupts/" + id, ann.token(), null);
    assertThat(settled.text("status")).isEqualTo("approved");
    assertThat(settled.text("decidedBy")).isEqualTo(bob.username());
    assertSettledByBobAfterAnn(id);
  }

  @Test
  @Order(3)
  void givenAPolicyForTwoOfFinance_whenDecidedThroughAgentGate_thenAnnsApprovalWaitsForBobs() {
    String action = "approve_budget_" + Identities.unique("q");
    policy(action);
    Resp created = app.post("/api/requests", ADMIN_KEY, Map.of("action", action,
        "params", Map.of("amount", 25_000)));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    // AgentGate's create waits for the policies: the routing is in its answer.
    assertThat(created.text("status")).isEqualTo("pending");
    assertThat(created.body().path("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(created.body().path("reviewers")).extracting(JsonNode::asText)
        .containsExactly(FINANCE);
    String id = created.text("id");
    String decide = "/api/requests/" + id + "/decide";
    Map<String, Object> approve = Map.of("decision", "approved");

    Resp first = ids.bearer("POST", decide, ann.token(), approve);
    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(first.text("status")).isEqualTo("pending");
    assertThat(first.body().path("decidedBy").isNull()).isTrue();
    assertPendingWithAnnsApproval(id);

    Resp again = ids.bearer("POST", decide, ann.token(), approve);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("error").path("message").asText()).isEqualTo(ALREADY);
    Resp notAsked = ids.bearer("POST", decide, rita.token(), approve);
    assertThat(notAsked.status()).isEqualTo(403);
    assertThat(notAsked.body().path("error").path("message").asText()).isEqualTo(ONLY_FINANCE);
    assertThat(ids.bearer("POST", decide, vic.token(), approve).status()).isEqualTo(403);
    Resp stranger = ids.bearer("POST", decide, oscar.token(), approve);
    assertThat(stranger.status()).isEqualTo(404);
    assertThat(stranger.body().path("error").path("message").asText())
        .isEqualTo("Request not found");
    assertPendingWithAnnsApproval(id);

    Resp second = ids.bearer("POST", decide, bob.token(), approve);
    assertThat(second.status()).as(second.raw().body()).isEqualTo(200);
    assertThat(second.text("status")).isEqualTo("approved");
    assertThat(second.text("decidedBy")).isEqualTo(bob.username());
    assertSettledByBobAfterAnn(id);
  }

  @Test
  @Order(4)
  void givenTwoOfFinance_whenAnsweredThroughLoopgate_thenAnnsApprovalWaitsForBobs() {
    // A Loopgate create carries no reviewers or quorum, and policies apply to AgentGate
    // requests only (WorkflowStarter): the request is made through LoopIn and answered the
    // Loopgate way, where it is listed like any request of the workspace.
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-4",
        "Release payroll run " + Identities.unique("run"), "reviewers", List.of(FINANCE),
        "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("interruptId");
    assertThat(ids.bearer("GET", "/hitl/pending", ann.token(), null).body()
        .path("pending_requests").findValuesAsText("id")).contains(id);
    Map<String, Object> yes = Map.of("request_id", id, "response", "yes", "approved", true);

    Resp first = ids.bearer("POST", "/hitl/respond", ann.token(), yes);
    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(first.text("status")).isEqualTo("pending");
    assertThat(first.body().path("completed").asBoolean()).isFalse();
    assertThat(first.body().path("required_approvals").asInt()).isEqualTo(2);
    assertApprovedSoFarBy(first.body().path("approvals"), ann);
    Resp polled = ids.bearer("GET", "/hitl/poll?request_id=" + id, ann.token(), null);
    assertThat(polled.text("status")).isEqualTo("pending");
    assertThat(polled.body().path("required_approvals").asInt()).isEqualTo(2);
    assertApprovedSoFarBy(polled.body().path("approvals"), ann);
    assertPendingWithAnnsApproval(id);

    Resp again = ids.bearer("POST", "/hitl/respond", ann.token(), yes);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("error")).isEqualTo(ALREADY);
    Resp notAsked = ids.bearer("POST", "/hitl/respond", rita.token(), yes);
    assertThat(notAsked.status()).isEqualTo(403);
    assertThat(notAsked.text("error")).isEqualTo(ONLY_FINANCE);
    assertThat(ids.bearer("POST", "/hitl/respond", vic.token(), yes).status()).isEqualTo(403);
    assertThat(ids.bearer("POST", "/hitl/respond", oscar.token(), yes).status())
        .isEqualTo(404);
    assertPendingWithAnnsApproval(id);

    Resp second = ids.bearer("POST", "/hitl/respond", bob.token(), yes);
    assertThat(second.status()).as(second.raw().body()).isEqualTo(200);
    assertThat(second.text("status")).isEqualTo("completed");
    assertThat(second.body().path("approved").asBoolean()).isTrue();
    assertThat(second.body().path("response").asText()).isEqualTo("yes");
    assertSettledByBobAfterAnn(id);
  }

  @Test
  @Order(5)
  void givenTwoOfFinance_whenDecidedThroughMcpTools_thenAnnsApprovalWaitsForBobs() {
    Resp created = app.post("/api/requests", ADMIN_KEY, Map.of("action", "sign_contract",
        "params", Map.of("vendor", "ACME"), "reviewers", List.of(FINANCE),
        "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("id");
    Map<String, Object> approve = Map.of("interruptId", id, "decision", "approved");

    McpSyncClient annMcp = mcp(ann);
    McpSyncClient bobMcp = mcp(bob);
    McpSyncClient ritaMcp = mcp(rita);
    McpSyncClient vicMcp = mcp(vic);
    McpSyncClient oscarMcp = mcp(oscar);
    try {
      JsonNode first = ok(call(annMcp, "decide_interrupt", approve));
      assertThat(first.path("status").asText()).isEqualTo("pending");
      JsonNode seen = ok(call(annMcp, "get_interrupt_status", Map.of("interruptId", id)));
      assertThat(seen.path("status").asText()).isEqualTo("pending");
      assertThat(seen.path("requiredApprovals").asInt()).isEqualTo(2);
      assertApprovedSoFarBy(seen.path("approvals"), ann);
      JsonNode checked = ok(call(annMcp, "check_request_status", Map.of("request_id", id)));
      assertThat(checked.path("required_approvals").asInt()).isEqualTo(2);
      assertApprovedSoFarBy(checked.path("approvals"), ann);
      assertPendingWithAnnsApproval(id);

      assertThat(error(call(annMcp, "decide_interrupt", approve))).isEqualTo(ALREADY);
      assertThat(error(call(annMcp, "agentgate_decide", Map.of("id", id,
          "decision", "approved")))).isEqualTo(ALREADY);
      assertThat(error(call(ritaMcp, "decide_interrupt", approve))).isEqualTo(ONLY_FINANCE);
      assertThat(error(call(vicMcp, "decide_interrupt", approve))).contains("request:decide");
      assertThat(error(call(oscarMcp, "decide_interrupt", approve)))
          .isEqualTo("Interrupt not found");
      assertPendingWithAnnsApproval(id);

      JsonNode second = ok(call(bobMcp, "agentgate_decide", Map.of("id", id,
          "decision", "approved")));
      assertThat(second.path("status").asText()).isEqualTo("approved");
      assertThat(second.path("decidedBy").asText()).isEqualTo(bob.username());
      JsonNode after = ok(call(annMcp, "get_interrupt_status", Map.of("interruptId", id)));
      assertThat(after.path("status").asText()).isEqualTo("approved");
      assertThat(after.path("decidedBy").asText()).isEqualTo(bob.username());
    } finally {
      for (McpSyncClient c : List.of(annMcp, bobMcp, ritaMcp, vicMcp, oscarMcp)) {
        c.closeGracefully();
      }
    }
    assertSettledByBobAfterAnn(id);
  }

  @Test
  @Order(6)
  void givenTwoOfFinance_whenDecidedOnTheDashboard_thenAnnsApprovalWaitsForBobs() {
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-6",
        "Transfer reserves " + Identities.unique("t"), "reviewers", List.of(FINANCE),
        "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("interruptId");

    assertThat(inboxIds(ann)).contains(id);
    JsonNode first = dashboardDecides(ann, id, "approved");
    assertThat(first.path("ok").asBoolean()).as(first.toString()).isTrue();
    assertThat(first.path("status").asText()).isEqualTo("pending");
    assertPendingWithAnnsApproval(id);

    JsonNode again = dashboardDecides(ann, id, "approved");
    assertThat(again.path("ok").asBoolean()).isFalse();
    assertThat(again.path("error").asText()).isEqualTo(ALREADY);
    JsonNode notAsked = dashboardDecides(rita, id, "approved");
    assertThat(notAsked.path("ok").asBoolean()).isFalse();
    assertThat(notAsked.path("error").asText()).isEqualTo(ONLY_FINANCE);
    Resp viewer = dashboardPost(vic, id, "approved");
    assertThat(viewer.status()).isEqualTo(403);
    assertThat(viewer.text("error")).contains("viewer", "not decide");
    JsonNode stranger = dashboardDecides(oscar, id, "approved");
    assertThat(stranger.path("ok").asBoolean()).isFalse();
    assertThat(stranger.path("error").asText()).isEqualTo("Interrupt not found");
    assertThat(inboxIds(oscar)).doesNotContain(id);
    assertPendingWithAnnsApproval(id);

    JsonNode second = dashboardDecides(bob, id, "approved");
    assertThat(second.path("ok").asBoolean()).as(second.toString()).isTrue();
    assertThat(second.path("status").asText()).isEqualTo("approved");
    assertThat(inboxIds(ann)).doesNotContain(id);
    assertSettledByBobAfterAnn(id);
  }

  // 3. The first rejection settles

  @Test
  @Order(7)
  void givenTwoOfFinanceAndAnnsApproval_whenCatRejects_thenRejectedInCatsName() {
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-7", "Pay invoice 1007",
        "reviewers", List.of(FINANCE), "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("interruptId");
    Resp first = ids.bearer("POST", "/interrupts/" + id + "/decide", ann.token(),
        Map.of("decision", "approved"));
    assertThat(first.text("status")).isEqualTo("pending");

    Resp rejected = ids.bearer("POST", "/api/requests/" + id + "/decide", cat.token(),
        Map.of("decision", "denied", "reason", "Not in this quarter's budget"));
    assertThat(rejected.status()).as(rejected.raw().body()).isEqualTo(200);
    assertThat(rejected.text("status")).isEqualTo("denied");
    assertThat(rejected.text("decidedBy")).isEqualTo(cat.username());

    Resp request = app.get("/api/requests/" + id, ADMIN_KEY);
    assertThat(request.text("status")).isEqualTo("denied");
    assertThat(request.text("decidedBy")).isEqualTo(cat.username());
    assertApprovedSoFarBy(request.body().path("approvals"), ann);
    Resp loopin = app.get("/interrupts/" + id, ADMIN_KEY);
    assertThat(loopin.text("status")).isEqualTo("rejected");
    assertThat(loopin.text("decidedBy")).isEqualTo(cat.username());
    assertThat(loopin.text("reason")).isEqualTo("Not in this quarter's budget");
    assertThat(eventsOf(id)).filteredOn(e -> e.path("event").asText().equals("rejected"))
        .singleElement().satisfies(e -> {
          assertThat(e.path("actor").asText()).isEqualTo(cat.username());
          assertThat(e.path("details").path("actorId").asText()).isEqualTo("user:" + cat.id());
        });
    // Settled: bob's approval comes too late.
    Resp late = ids.bearer("POST", "/interrupts/" + id + "/decide", bob.token(),
        Map.of("decision", "approved"));
    assertThat(late.status()).isEqualTo(409);
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("rejected");
  }

  // 4. Routing to a person

  @Test
  @Order(8)
  void givenAnAssignee_whenListingWhatBobIsAsked_thenItIsThereAndFirstInHisInbox() {
    // Older and as urgent, but asking nobody: without routing it would come first.
    Resp unrouted = app.post("/api/requests", ADMIN_KEY, Map.of("action", "rotate_keys",
        "urgency", "critical"));
    assertThat(unrouted.status()).as(unrouted.raw().body()).isEqualTo(201);
    String other = unrouted.text("id");
    Resp assigned = app.post("/api/requests", ADMIN_KEY, Map.of("action", "refund_order",
        "params", Map.of("order", "A-77"), "urgency", "critical", "assignee", bob.username()));
    assertThat(assigned.status()).as(assigned.raw().body()).isEqualTo(201);
    assertThat(assigned.text("assignee")).isEqualTo(bob.username());
    String id = assigned.text("id");

    assertThat(pendingIds(bob.username())).contains(id).doesNotContain(other);
    assertThat(pendingIds(bob.id())).contains(id).doesNotContain(other);
    assertThat(pendingIds(ann.username())).doesNotContain(id, other);
    List<String> inbox = inboxIds(bob);
    assertThat(inbox).contains(other);
    assertThat(inbox.get(0)).isEqualTo(id);
    // Ann's inbox has the unrouted one first: nothing there asks her.
    assertThat(inboxIds(ann).indexOf(other)).isLessThan(inboxIds(ann).indexOf(id));

    // Through her group: finance is asked, so ann is (and bob), rita is not.
    Resp routed = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-8", "Pay invoice 1008",
        "reviewers", List.of(FINANCE)));
    assertThat(routed.status()).as(routed.raw().body()).isEqualTo(201);
    String financeId = routed.text("interruptId");
    assertThat(pendingIds(ann.username())).contains(financeId).doesNotContain(id);
    assertThat(pendingIds(ann.id())).contains(financeId);
    assertThat(pendingIds(bob.username())).contains(financeId, id);
    assertThat(pendingIds(rita.username())).doesNotContain(financeId, id);

    // Settle them so later steps start from an empty inbox.
    for (String done : List.of(id, other, financeId)) {
      Resp d = ids.bearer("POST", "/api/requests/" + done + "/decide", admin.token(),
          Map.of("decision", "denied"));
      assertThat(d.status()).as(d.raw().body()).isEqualTo(200);
    }
    assertThat(pendingIds(bob.username())).isEmpty();
  }

  // 5. decidedBy names the person everywhere

  @Test
  @Order(9)
  void givenACallbackAndAWebhook_whenBobSettlesTheQuorum_thenEachNamesBob() throws IOException {
    Resp hook = app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/hook"),
        "events", List.of("request.decided")));
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    try {
      Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("end-user-9",
          "Pay invoice 1009", "reviewers", List.of(FINANCE), "requiredApprovals", 2,
          "callbackUrl", receiver.url("/callback")));
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      String id = created.text("interruptId");
      assertThat(ids.bearer("POST", "/interrupts/" + id + "/decide", ann.token(),
          Map.of("decision", "approved")).text("status")).isEqualTo("pending");
      assertThat(ids.bearer("POST", "/api/requests/" + id + "/decide", bob.token(),
          Map.of("decision", "approved")).text("status")).isEqualTo("approved");

      assertThat(app.get("/api/requests/" + id, ADMIN_KEY).text("decidedBy"))
          .isEqualTo(bob.username());
      assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("decidedBy"))
          .isEqualTo(bob.username());

      assertThat(eventually(Duration.ofSeconds(20),
          () -> !receiver.to("/callback").isEmpty())).as("the callback arrives").isTrue();
      List<CallbackReceiver.Received> callbacks = receiver.to("/callback");
      assertThat(callbacks).hasSize(1);
      JsonNode callback = TestApp.JSON.readTree(callbacks.get(0).body());
      assertThat(callback.path("interruptId").asText()).isEqualTo(id);
      assertThat(callback.path("status").asText()).isEqualTo("approved");
      assertThat(callback.path("decidedBy").asText()).isEqualTo(bob.username());

      assertThat(eventually(Duration.ofSeconds(20), () -> !hooksFor(id).isEmpty()))
          .as("the webhook arrives").isTrue();
      // Ann's approval decided nothing: one request.decided, bob's.
      List<JsonNode> hooks = hooksFor(id);
      assertThat(hooks).hasSize(1);
      assertThat(hooks.get(0).path("event").asText()).isEqualTo("request.decided");
      assertThat(hooks.get(0).path("data").path("request").path("status").asText())
          .isEqualTo("approved");
      assertThat(hooks.get(0).path("data").path("request").path("decidedBy").asText())
          .isEqualTo(bob.username());
    } finally {
      app.delete("/api/webhooks/" + hook.text("id"), ADMIN_KEY);
    }
  }

  // Helpers

  /** A new user, made a member of the default workspace with this role and working there. */
  static User member(String name, String role) {
    User u = ids.newUser(name);
    Resp added = ids.bearer("POST", "/api/workspaces/current/members", admin.token(),
        Map.of("username", u.username(), "role", role));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    Resp switched = ids.bearer("POST", "/api/workspaces/current", u.token(),
        Map.of("workspace", WORKSPACE));
    assertThat(switched.status()).as(switched.raw().body()).isEqualTo(200);
    assertThat(switched.text("role")).isEqualTo(role);
    return u;
  }

  static String currentWorkspace(User u) {
    for (JsonNode w : ids.bearer("GET", "/api/workspaces", u.token(), null).body()) {
      if (w.path("current").asBoolean()) {
        return w.path("id").asText();
      }
    }
    throw new AssertionError("no current workspace for " + u.username());
  }

  /** A policy that routes requests for exactly {@code action} to two of finance. */
  static void policy(String action) {
    Resp r = app.post("/api/policies", ADMIN_KEY, Map.of("name", "two-of-finance-" + ++policies,
        "rules", List.of(Map.of("match", Map.of("action", action),
            "decision", "route_to_human", "reviewers", List.of(FINANCE), "approvals", 2))));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
  }

  /** The approvals so far: exactly one, by {@code who}, with a time. */
  static void assertApprovedSoFarBy(JsonNode approvals, User who) {
    assertThat(approvals.isArray()).as("approvals: " + approvals).isTrue();
    assertThat(approvals).hasSize(1);
    assertThat(approvals.get(0).path("by").asText()).isEqualTo(who.username());
    assertThat(approvals.get(0).path("at").asText()).isNotBlank();
  }

  /** AgentGate's view (the one every door's interrupt has): pending, one approval, ann's. */
  static void assertPendingWithAnnsApproval(String id) {
    Resp view = app.get("/api/requests/" + id, ADMIN_KEY);
    assertThat(view.status()).isEqualTo(200);
    assertThat(view.text("status")).isEqualTo("pending");
    assertThat(view.body().path("decidedBy").isNull()).isTrue();
    assertThat(view.body().path("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(view.body().path("reviewers")).extracting(JsonNode::asText)
        .containsExactly(FINANCE);
    assertApprovedSoFarBy(view.body().path("approvals"), ann);
  }

  /** Approved in bob's name, both approvals kept, and the audit trail names ann then bob. */
  static void assertSettledByBobAfterAnn(String id) {
    Resp view = app.get("/api/requests/" + id, ADMIN_KEY);
    assertThat(view.text("status")).isEqualTo("approved");
    assertThat(view.text("decidedBy")).isEqualTo(bob.username());
    assertThat(view.body().path("approvals")).extracting(a -> a.path("by").asText())
        .containsExactly(ann.username(), bob.username());
    List<JsonNode> events = eventsOf(id);
    assertThat(events).filteredOn(e -> e.path("event").asText().equals("approval.recorded"))
        .singleElement().satisfies(e -> {
          assertThat(e.path("actor").asText()).isEqualTo(ann.username());
          assertThat(e.path("details").path("actorId").asText()).isEqualTo("user:" + ann.id());
        });
    assertThat(events).filteredOn(e -> e.path("event").asText().equals("approved"))
        .singleElement().satisfies(e -> {
          assertThat(e.path("actor").asText()).isEqualTo(bob.username());
          assertThat(e.path("details").path("actorId").asText()).isEqualTo("user:" + bob.id());
        });
    // Nobody else's attempt left a trace.
    assertThat(events).extracting(e -> e.path("actor").asText())
        .doesNotContain(rita.username(), vic.username(), oscar.username());
  }

  static List<JsonNode> eventsOf(String id) {
    Resp events = app.get("/interrupts/" + id + "/events", ADMIN_KEY);
    assertThat(events.status()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    events.body().forEach(out::add);
    return out;
  }

  /** The ids {@code GET /interrupts/pending/{userId}} lists. */
  static List<String> pendingIds(String userId) {
    Resp r = app.get("/interrupts/pending/" + userId, ADMIN_KEY);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.body().findValuesAsText("interruptId");
  }

  /** An MCP client that signs in with the person's login token. */
  static McpSyncClient mcp(User user) {
    var transport = HttpClientStreamableHttpTransport.builder(app.base())
        .endpoint("/mcp")
        .requestBuilder(HttpRequest.newBuilder()
            .header("Authorization", "Bearer " + user.token()))
        .build();
    McpSyncClient client = McpClient.sync(transport)
        .clientInfo(new McpSchema.Implementation("interlock-test-person", "1.0"))
        .requestTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    return client;
  }

  static HttpResponse<String> page(String path, User user) {
    return app.raw(app.builder(path, null).header("Accept", "text/html")
        .header("Cookie", "loopat_session=" + user.token()).GET());
  }

  /** The ids in the person's dashboard inbox, in the order shown. */
  static List<String> inboxIds(User user) {
    HttpResponse<String> r = page("/ui/inbox", user);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<li class=\"item [^\"]*\" data-id=\"([^\"]+)\"").matcher(r.body());
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The dashboard's decide call, with the CSRF token of the person's inbox page. */
  static Resp dashboardPost(User user, String id, String decision) {
    HttpResponse<String> inbox = page("/", user);
    assertThat(inbox.statusCode()).isEqualTo(200);
    Matcher token = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(inbox.body());
    assertThat(token.find()).as("the inbox's CSRF token").isTrue();
    return app.send(app.builder("/ui/decide", null)
        .header("Cookie", "loopat_session=" + user.token())
        .header("X-CSRF-Token", token.group(1))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[\"" + id
            + "\"],\"decision\":\"" + decision + "\"}")));
  }

  /** The one result of a dashboard decision (the call itself answers 200). */
  static JsonNode dashboardDecides(User user, String id, String decision) {
    Resp r = dashboardPost(user, id, decision);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    JsonNode result = r.body().path("results").get(0);
    assertThat(result.path("id").asText()).isEqualTo(id);
    return result;
  }

  /** The webhook payloads received for this request. */
  static List<JsonNode> hooksFor(String id) {
    List<JsonNode> out = new ArrayList<>();
    for (CallbackReceiver.Received r : receiver.to("/hook")) {
      try {
        JsonNode body = TestApp.JSON.readTree(r.body());
        if (id.equals(body.path("data").path("request").path("id").asText())) {
          out.add(body);
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }
}
