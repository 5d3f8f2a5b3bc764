package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.error;
import static dev.interlock.server.McpClients.ok;
import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP endpoint end to end with the SDK's client over Streamable HTTP: every dialect's
 * tools against the same JSON as REST, the REST listing, authentication and scopes.
 */
class McpToolsTest {

  @TempDir static Path data;
  static TestApp app;
  static McpSyncClient admin;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    admin = McpClients.connect(app, ADMIN_KEY);
  }

  @AfterAll
  static void stop() {
    admin.closeGracefully();
    app.close();
  }

  static final Set<String> EXPECTED = Set.of("ask_human", "approval_prompt",
      "request_human_input", "check_request_status", "list_pending_requests", "cancel_request",
      "create_interrupt", "get_interrupt_status", "list_pending_interrupts", "decide_interrupt",
      "cancel_interrupt", "get_interrupt_analytics", "agentgate_request", "agentgate_get",
      "agentgate_list", "agentgate_decide", "agentgate_list_policies", "agentgate_create_policy",
      "agentgate_update_policy", "agentgate_delete_policy", "agentgate_list_audit_logs",
      "loop_create", "loop_send", "loop_get", "loop_answer_choice", "loop_interrupt",
      "loop_create_issue", "loop_update_issue", "loop_get_issue", "loop_list_issues",
      "loop_create_comment", "loop_ingest_signal", "loop_get_dashboard",
      "loop_get_next_task", "loop_complete_task",
      "loop_heartbeat");

  @Test
  void givenTheServer_whenToolsListed_thenMcpAndRestListTheSameToolsWithTheSameSchemas() {
    List<McpSchema.Tool> tools = admin.listTools().tools();
    assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyInAnyOrderElementsOf(EXPECTED);

    Resp rest = app.get("/mcp/tools", ADMIN_KEY);
    assertThat(rest.status()).isEqualTo(200);
    assertThat(rest.body().path("count").asInt()).isEqualTo(tools.size());
    for (JsonNode t : rest.body().path("tools")) {
      McpSchema.Tool mcp = tools.stream().filter(x -> x.name().equals(t.path("name").asText()))
          .findFirst().orElseThrow();
      assertThat(TestApp.JSON.valueToTree(mcp.inputSchema()).equals(t.path("inputSchema")))
          .as(mcp.name()).isTrue();
      assertThat(t.path("description").asText()).isEqualTo(mcp.description());
    }
    McpSchema.Tool create = tools.stream().filter(t -> t.name().equals("create_interrupt"))
        .findFirst().orElseThrow();
    assertThat(TestApp.JSON.valueToTree(create.inputSchema().get("required")).toString())
        .isEqualTo("[\"agentId\",\"userId\",\"action\",\"context\"]");

    Resp capabilities = app.get("/mcp/capabilities", ADMIN_KEY);
    assertThat(capabilities.status()).isEqualTo(200);
    assertThat(capabilities.body().path("capabilities"))
        .isEqualTo(TestApp.JSON.valueToTree(admin.getServerCapabilities()));
    assertThat(capabilities.body().path("capabilities").has("tools")).isTrue();
    assertThat(capabilities.body().path("serverInfo").path("name").asText()).isEqualTo("interlock");
    assertThat(app.get("/mcp/tools", null).status()).isEqualTo(401);
    assertThat(admin.getServerCapabilities().tools()).isNotNull();
  }

  @Test
  void givenNoOrABadKey_whenMcpIsCalled_then401WithJsonAndWwwAuthenticate() {
    String initialize = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""";
    for (String key : new String[] {null, "ilk_not_a_key_0123456789"}) {
      Resp r = app.send(app.builder("/mcp", key).header("Content-Type", "application/json")
          .header("Accept", "application/json, text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofString(initialize)));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
          v -> assertThat(v).startsWith("Bearer"));
      assertThat(r.text("error")).isNotBlank();
    }
    Resp bearer = app.send(app.builder("/mcp", null).header("Authorization", "Bearer nope-nope-nope")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(initialize)));
    assertThat(bearer.status()).isEqualTo(401);
    assertThatThrownBy(() -> McpClients.connect(app, null)).isNotNull();
  }

  @Test
  void givenAnotherOrigin_whenMcpIsCalled_thenRefusedAsDnsRebinding() {
    String initialize = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""";
    Resp evil = app.send(app.builder("/mcp", ADMIN_KEY).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Origin", "http://evil.example.com")
        .POST(HttpRequest.BodyPublishers.ofString(initialize)));
    assertThat(evil.status()).isBetween(400, 499);
    Resp local = app.send(app.builder("/mcp", ADMIN_KEY).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Origin", "http://localhost:3000")
        .POST(HttpRequest.BodyPublishers.ofString(initialize)));
    assertThat(local.status()).isEqualTo(200);
    Resp configured = app.send(app.builder("/mcp", ADMIN_KEY).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Origin", "http://interlock.test")
        .POST(HttpRequest.BodyPublishers.ofString(initialize)));
    assertThat(configured.status()).as("the base URL's origin").isEqualTo(200);
  }

  @Test
  void givenLoopgateTools_whenAskedCheckedListedCancelled_thenSameJsonAsHitl() {
    String session = "mcp-session-" + System.nanoTime();
    JsonNode created = ok(call(admin, "request_human_input", Map.of("session_id", session,
        "client_id", "agent-7", "message", "Deploy?", "options", List.of("Yes", "No"),
        "metadata", Map.of("env", "prod"))));
    assertThat(created.path("success").asBoolean()).isTrue();
    String id = created.path("request_id").asText();
    assertThat(created.path("status").asText()).isEqualTo("pending");
    assertThat(app.get("/hitl/status?session_id=" + session, ADMIN_KEY).body().path("active")
        .asBoolean()).as("registered on first use").isTrue();

    JsonNode status = ok(call(admin, "check_request_status", Map.of("request_id", id)));
    assertThat(status).isEqualTo(app.get("/hitl/poll?request_id=" + id, ADMIN_KEY).body());
    JsonNode pending = ok(call(admin, "list_pending_requests", Map.of()));
    assertThat(pending.path("pending_requests").findValuesAsText("id")).contains(id);
    JsonNode request = findById(pending.path("pending_requests"), "id", id);
    assertThat(request.path("request_type").asText()).isEqualTo("choice");
    assertThat(request.path("metadata").path("env").asText()).isEqualTo("prod");

    JsonNode cancelled = ok(call(admin, "cancel_request", Map.of("request_id", id)));
    assertThat(cancelled.path("message").asText()).isEqualTo("Request canceled successfully");
    assertThat(ok(call(admin, "check_request_status", Map.of("request_id", id))).path("status")
        .asText()).isEqualTo("canceled");
    assertThat(error(call(admin, "cancel_request", Map.of("request_id", id))))
        .isEqualTo("Interrupt is already cancelled");
    assertThat(error(call(admin, "request_human_input", Map.of("session_id", session))))
        .isEqualTo("client_id is required");

    app.post("/hitl/deactivate", ADMIN_KEY, Map.of("session_id", session));
    assertThat(error(call(admin, "request_human_input", Map.of("session_id", session,
        "client_id", "agent-7", "message", "Again?")))).isEqualTo("Session is not active");
  }

  @Test
  void givenLoopinTools_whenTheLifecycleRuns_thenSameJsonAsInterrupts() {
    String user = "user-" + System.nanoTime();
    JsonNode created = ok(call(admin, "create_interrupt", Map.of("agentId", "a1", "userId", user,
        "action", "send_invoice", "context", Map.of("amount", 120), "urgency", "high")));
    String id = created.path("interruptId").asText();
    // The signed review link, as the REST create returns it.
    assertThat(created.path("reviewUrl").asText()).startsWith("http://interlock.test/review/" + id + "?token=");
    assertThat(ok(call(admin, "get_interrupt_status", Map.of("interruptId", id))))
        .isEqualTo(app.get("/interrupts/" + id, ADMIN_KEY).body());
    assertThat(ok(call(admin, "list_pending_interrupts", Map.of("userId", user))))
        .isEqualTo(app.get("/interrupts/pending/" + user, ADMIN_KEY).body());

    JsonNode decided = ok(call(admin, "decide_interrupt", Map.of("interruptId", id,
        "decision", "approved", "reason", "fine", "modifiedParams", Map.of("amount", 100))));
    assertThat(decided.path("status").asText()).isEqualTo("resolved");
    assertThat(decided.path("decision").asText()).isEqualTo("approved");
    JsonNode after = ok(call(admin, "get_interrupt_status", Map.of("interruptId", id)));
    assertThat(after.path("modifiedParams").path("amount").asInt()).isEqualTo(100);
    assertThat(error(call(admin, "decide_interrupt", Map.of("interruptId", id,
        "decision", "rejected")))).isEqualTo("Interrupt is already approved");

    String other = ok(call(admin, "create_interrupt", Map.of("agentId", "a1", "userId", user,
        "action", "delete_repo", "context", Map.of()))).path("interruptId").asText();
    JsonNode cancelled = ok(call(admin, "cancel_interrupt", Map.of("interruptId", other)));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");

    assertThat(ok(call(admin, "get_interrupt_analytics", Map.of("userId", user))))
        .isEqualTo(app.get("/analytics/" + user, ADMIN_KEY).body());

    assertThat(error(call(admin, "create_interrupt", Map.of("userId", user, "action", "x",
        "context", Map.of())))).isEqualTo("agentId is required");
    assertThat(error(call(admin, "get_interrupt_status",
        Map.of("interruptId", "00000000-0000-4000-8000-000000000000"))))
        .isEqualTo("Interrupt not found");
    assertThat(error(call(admin, "decide_interrupt", Map.of("interruptId", other,
        "decision", "maybe")))).isEqualTo("decision must be approved or rejected");
  }

  @Test
  void givenAgentGateTools_whenRequestsPoliciesAndAuditAreUsed_thenSameJsonAsApi() {
    String action = "mcp_action_" + System.nanoTime();
    JsonNode created = ok(call(admin, "agentgate_request", Map.of("action", action,
        "params", Map.of("to", "a@example.com"), "urgency", "critical")));
    String id = created.path("id").asText();
    assertThat(created.path("status").asText()).isEqualTo("pending");
    assertThat(ok(call(admin, "agentgate_get", Map.of("id", id))))
        .isEqualTo(app.get("/api/requests/" + id, ADMIN_KEY).body());
    assertThat(error(call(admin, "agentgate_get", Map.of("id", "00000000-0000-4000-8000-000000000000"))))
        .isEqualTo("Request not found");
    assertThat(ok(call(admin, "agentgate_list", Map.of("status", "pending", "limit", 100))))
        .isEqualTo(app.get("/api/requests?status=pending&limit=100", ADMIN_KEY).body());
    assertThat(error(call(admin, "agentgate_list", Map.of("limit", 500))))
        .isEqualTo("limit must be between 1 and 100");

    JsonNode decided = ok(call(admin, "agentgate_decide", Map.of("id", id, "decision", "denied",
        "reason", "not today", "decidedBy", "ops@example.com")));
    assertThat(decided.path("status").asText()).isEqualTo("denied");
    assertThat(decided.path("decidedBy").asText()).isEqualTo("ops@example.com");
    assertThat(error(call(admin, "agentgate_decide", Map.of("id", id, "decision", "rejected"))))
        .isIn("decision must be approved or denied", "Interrupt is already rejected");

    JsonNode audit = ok(call(admin, "agentgate_list_audit_logs", Map.of("requestId", id)));
    assertThat(audit).isEqualTo(app.get("/api/audit?requestId=" + id, ADMIN_KEY).body());
    JsonNode entries = audit.path("entries");
    assertThat(entries.findValuesAsText("eventType"))
        .containsExactly("denied", "policy.evaluated", "created");
    assertThat(entries.get(0).path("actor").asText()).isEqualTo("ops@example.com");
    assertThat(entries.get(0).path("request").path("action").asText()).isEqualTo(action);
    assertThat(audit.path("pagination").path("total").asInt()).isEqualTo(3);
    JsonNode denials = ok(call(admin, "agentgate_list_audit_logs",
        Map.of("eventType", "denied", "action", action)));
    assertThat(denials.path("entries")).hasSize(1);
    assertThat(ok(call(admin, "agentgate_list_audit_logs", Map.of("action", action,
        "from", "2999-01-01T00:00:00Z"))).path("entries")).isEmpty();
    assertThat(error(call(admin, "agentgate_list_audit_logs", Map.of("from", "yesterday"))))
        .contains("ISO-8601");

    JsonNode policy = ok(call(admin, "agentgate_create_policy", Map.of("name", "mcp-auto",
        "priority", 5, "rules", List.of(Map.of("match", Map.of("action", action + "_auto"),
            "decision", "auto_approve")))));
    String policyId = policy.path("id").asText();
    assertThat(ok(call(admin, "agentgate_list_policies", Map.of())))
        .isEqualTo(app.get("/api/policies", ADMIN_KEY).body());
    assertThat(ok(call(admin, "agentgate_request", Map.of("action", action + "_auto")))
        .path("status").asText()).isEqualTo("approved");
    JsonNode updated = ok(call(admin, "agentgate_update_policy", Map.of("id", policyId,
        "name", "mcp-auto-2", "rules", List.of(Map.of("match", Map.of("action", action + "_auto"),
            "decision", "auto_deny")))));
    assertThat(updated.path("version").asInt()).isEqualTo(2);
    assertThat(ok(call(admin, "agentgate_request", Map.of("action", action + "_auto")))
        .path("status").asText()).isEqualTo("denied");
    assertThat(error(call(admin, "agentgate_create_policy", Map.of("name", "bad",
        "rules", List.of(Map.of("decision", "maybe")))))).isNotBlank();
    assertThat(error(call(admin, "agentgate_update_policy", Map.of("id", policyId,
        "name", "no-rules")))).isEqualTo("rules is required");
    assertThat(ok(call(admin, "agentgate_delete_policy", Map.of("id", policyId)))
        .path("deleted").asBoolean()).isTrue();
    assertThat(error(call(admin, "agentgate_delete_policy", Map.of("id", policyId))))
        .isEqualTo("Policy not found");
  }

  @Test
  void givenAKeyWithoutAScope_whenItsToolIsCalled_thenAnErrorResultNamesTheScope() {
    String key = ApiKeysFor.readOnly(app);
    McpSyncClient reader = McpClients.connect(app, key);
    try {
      String id = ok(call(admin, "create_interrupt", Map.of("agentId", "a", "userId", "u",
          "action", "x", "context", Map.of()))).path("interruptId").asText();
      assertThat(ok(call(reader, "get_interrupt_status", Map.of("interruptId", id)))
          .path("status").asText()).isEqualTo("pending");
      McpSchema.CallToolResult refused = call(reader, "decide_interrupt",
          Map.of("interruptId", id, "decision", "approved"));
      assertThat(refused.isError()).isTrue();
      assertThat(error(refused)).contains("request:decide");
      assertThat(error(call(reader, "ask_human", Map.of("question", "?")))).contains("request:create");
      assertThat(error(call(reader, "agentgate_list_policies", Map.of()))).contains("admin");
      assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");

      // Another owner's interrupt is not found, as over REST.
      McpSyncClient stranger = McpClients.connect(app, app.keyFor("stranger-" + System.nanoTime()));
      assertThat(error(call(stranger, "get_interrupt_status", Map.of("interruptId", id))))
          .isEqualTo("Interrupt not found");
      stranger.closeGracefully();
    } finally {
      reader.closeGracefully();
    }
  }

  @Test
  void givenAnUnknownTool_whenCalled_thenAProtocolError() {
    assertThatThrownBy(() -> call(admin, "no_such_tool", Map.of()))
        .isInstanceOf(io.modelcontextprotocol.spec.McpError.class)
        .hasMessageContaining("Unknown tool");
  }

  private static JsonNode findById(JsonNode array, String field, String id) {
    List<JsonNode> found = new ArrayList<>();
    array.forEach(n -> {
      if (n.path(field).asText().equals(id)) {
        found.add(n);
      }
    });
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  /** Keys with fewer scopes than the admin's. */
  static final class ApiKeysFor {
    static String readOnly(TestApp app) {
      String key = dev.interlock.server.auth.ApiKeys.generate("ilk_");
      new dev.interlock.server.auth.ApiKeys(app.jdbi(), Clock.systemUTC())
          .create("admin", "read-only", key, Set.of("request:read"));
      return key;
    }
  }
}
