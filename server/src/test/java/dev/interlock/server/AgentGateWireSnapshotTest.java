package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact JSON of every AgentGate and loopat answer (REST and the AgentGate MCP tools), as
 * raw text: field order, nulls and absent fields, status codes and error messages. Values
 * that differ from run to run (ids, times, keys, durations, the receiver's port) are replaced
 * by placeholders, ids numbered by first appearance so that which id is which stays pinned.
 * The expected text is {@code agentgate-wire.snapshot}; to rewrite it after a deliberate
 * change, run with {@code -Dinterlock.snapshot.write=<path of that file>} and review the diff.
 */
class AgentGateWireSnapshotTest {

  private static final String SNAPSHOT = "agentgate-wire.snapshot";

  @TempDir static Path data;
  static TestApp app;
  static CallbackReceiver receiver;
  static McpSyncClient mcp;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
    mcp = McpClients.connect(app, ADMIN_KEY);
  }

  @AfterAll
  static void stop() {
    if (mcp != null) {
      mcp.closeGracefully();
    }
    if (app != null) {
      app.close();
    }
    receiver.close();
  }

  private final Normalizer normal = new Normalizer();
  private final StringBuilder out = new StringBuilder();

  private Resp record(String name, Resp r) {
    out.append("### ").append(name).append('\n').append(r.status()).append(' ')
        .append(normal.apply(r.raw().body())).append('\n');
    return r;
  }

  private void recordText(String name, String text) {
    out.append("### ").append(name).append('\n').append(normal.apply(text)).append('\n');
  }

  private Resp get(String name, String path) {
    return record(name, app.get(path, ADMIN_KEY));
  }

  private Resp post(String name, String path, String body) {
    return record(name, app.post(path, ADMIN_KEY, body));
  }

  private Resp send(String name, String method, String path, String body) {
    return record(name, app.send(app.builder(path, ADMIN_KEY)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))));
  }

  private Resp delete(String name, String path) {
    return record(name, app.delete(path, ADMIN_KEY));
  }

  /** Each {body, what} case sent as {@code name: what}. */
  private void each(String name, String method, String path, String[][] cases) {
    for (String[] c : cases) {
      send(name + ": " + c[1], method, path, c[0]);
    }
  }

  private JsonNode tool(String name, String tool, Map<String, Object> arguments) {
    McpSchema.CallToolResult result = McpClients.call(mcp, tool, arguments);
    String text = McpClients.text(result);
    recordText(name + (Boolean.TRUE.equals(result.isError()) ? " (isError)" : ""), text);
    try {
      return TestApp.JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(5); // distinct creation times, so that "newest first" has one answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void givenOneScriptedSession_thenEveryAnswerIsByteForByteAsBefore() throws Exception {
    requests();
    requestErrors();
    policies();
    audit();
    mcpTools();
    webhooks();
    keys();
    loopatTokens();
    compare();
  }

  private void requests() {
    String expiresAt = Instant.now().plusSeconds(3600).toString();
    String full = post("create full", "/api/requests", """
        {"action":"send_email","params":{"to":"a@example.com","n":1.5,"big":12345678901234},
         "context":{"orderId":"12345","nested":{"x":[1,null,true]}},"urgency":"HIGH",
         "expiresAt":"%s"}""".formatted(expiresAt)).text("id");
    pause();
    String bare = post("create bare", "/api/requests", "{\"action\":\"bare\"}").text("id");
    pause();
    post("create nulls", "/api/requests", """
        {"action":"nulls","params":null,"context":null,"urgency":null,"expiresAt":null,
         "unknown":5}""");
    pause();
    record("create with an idempotency key",
        app.post("/api/requests", ADMIN_KEY, Map.of("action", "idem"), Map.of("Idempotency-Key", "k-1")));
    record("create again with the same idempotency key, second",
        app.post("/api/requests", ADMIN_KEY, Map.of("action", "idem"), Map.of("Idempotency-Key", "k-1")));
    pause();
    // One made through LoopIn's door: no params, a context of its own.
    String loopin = app.post("/interrupts", ADMIN_KEY, TestApp.interrupt("u-1", "via_loopin",
        "context", Map.of("why", "because"))).text("interruptId");
    pause();
    // A Loopgate question: its options show in AgentGate's context.
    app.post("/hitl/register", ADMIN_KEY, Map.of("session_id", "snap-session", "client_id", "c"));
    String question = app.post("/hitl/request", ADMIN_KEY, Map.of("session_id", "snap-session",
        "client_id", "c", "message", "Deploy?", "options", List.of("Yes", "No"),
        "metadata", Map.of("env", "prod"))).text("request_id");
    pause();

    get("get full", "/api/requests/" + full);
    get("get bare", "/api/requests/" + bare);
    get("get loopin's", "/api/requests/" + loopin);
    get("get loopgate's", "/api/requests/" + question);
    get("get unknown", "/api/requests/00000000-0000-4000-8000-000000000000");
    get("get malformed id", "/api/requests/nope");

    post("decide full approved", "/api/requests/" + full + "/decide",
        "{\"decision\":\"approved\",\"reason\":\"Verified\"}");
    post("decide full again", "/api/requests/" + full + "/decide", "{\"decision\":\"denied\"}");
    post("decide bare denied by someone", "/api/requests/" + bare + "/decide",
        "{\"decision\":\"DENIED\",\"reason\":null,\"decidedBy\":\"alice@example.com\"}");
    post("decide unknown", "/api/requests/00000000-0000-4000-8000-000000000000/decide",
        "{\"decision\":\"approved\"}");
    post("decide unknown with a bad body", "/api/requests/00000000-0000-4000-8000-000000000000/decide",
        "{\"decision\":5}");
    post("decide malformed id", "/api/requests/nope/decide", "{\"decision\":\"approved\"}");

    post("confirm full", "/api/requests/" + full + "/confirm",
        "{\"result\":{\"success\":true,\"messageId\":\"msg_xyz\",\"n\":[1,2.5]}}");
    post("confirm full again", "/api/requests/" + full + "/confirm", "{}");
    post("confirm denied", "/api/requests/" + bare + "/confirm", "{\"result\":{}}");
    post("confirm unknown", "/api/requests/00000000-0000-4000-8000-000000000000/confirm", "{}");
    get("get full confirmed", "/api/requests/" + full);
    get("get bare denied", "/api/requests/" + bare);

    String nullResult = post("create for a null result", "/api/requests", "{\"action\":\"nr\"}").text("id");
    post("approve for a null result", "/api/requests/" + nullResult + "/decide", "{\"decision\":\"approved\"}");
    post("confirm with a null result", "/api/requests/" + nullResult + "/confirm", "{\"result\":null}");
    pause();
    String scalar = post("create for a scalar result", "/api/requests", "{\"action\":\"sr\"}").text("id");
    post("approve for a scalar result", "/api/requests/" + scalar + "/decide", "{\"decision\":\"approved\"}");
    post("confirm with a scalar result", "/api/requests/" + scalar + "/confirm", "{\"result\":\"done\"}");
    pause();

    get("audit full", "/api/requests/" + full + "/audit");
    get("audit bare", "/api/requests/" + bare + "/audit");
    get("audit unknown", "/api/requests/00000000-0000-4000-8000-000000000000/audit");

    get("list", "/api/requests");
    get("list pending", "/api/requests?status=pending");
    get("list denied", "/api/requests?status=denied");
    get("list by action and urgency", "/api/requests?action=send_email&urgency=high");
    get("list paged", "/api/requests?limit=2&offset=1");
    get("list past the end", "/api/requests?limit=2&offset=100");
    get("queue stats", "/api/requests/queue-stats");
  }

  private void requestErrors() {
    String[][] creates = {
        {"", "empty"}, {"[1]", "array"}, {"{nope", "malformed"}, {"{}", "no action"},
        {"{\"action\":5}", "numeric action"}, {"{\"action\":\"  \"}", "blank action"},
        {"{\"action\":null}", "null action"},
        {"{\"action\":\"" + "a".repeat(10_001) + "\"}", "long action"},
        {"{\"action\":\"x\",\"params\":[1]}", "array params"},
        {"{\"action\":\"x\",\"params\":\"s\"}", "text params"},
        {"{\"action\":\"x\",\"context\":5}", "numeric context"},
        {"{\"action\":\"x\",\"urgency\":5}", "numeric urgency"},
        {"{\"action\":\"x\",\"urgency\":\"medium\"}", "unknown urgency"},
        {"{\"action\":\"x\",\"expiresAt\":5}", "numeric expiresAt"},
        {"{\"action\":\"x\",\"expiresAt\":\"tomorrow\"}", "bad expiresAt"},
        {"{\"action\":\"x\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}", "past expiresAt"},
        {"{\"action\":\"x\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}", "far expiresAt"},
        {"{\"action\":\"x\\u0000\"}", "NUL"},
    };
    each("create error", "POST", "/api/requests", creates);
    String id = app.post("/api/requests", ADMIN_KEY, Map.of("action", "errors")).text("id");
    String[][] decides = {
        {"", "empty"}, {"{}", "no decision"}, {"{\"decision\":1}", "numeric decision"},
        {"{\"decision\":\"rejected\"}", "unknown decision"},
        {"{\"decision\":\"approved\",\"reason\":5}", "numeric reason"},
        {"{\"decision\":\"approved\",\"reason\":\"" + "r".repeat(10_001) + "\"}", "long reason"},
        {"{\"decision\":\"approved\",\"decidedBy\":[]}", "array decidedBy"},
        {"{\"decision\":\"approved\",\"decidedBy\":\"" + "d".repeat(257) + "\"}", "long decidedBy"},
    };
    each("decide error", "POST", "/api/requests/" + id + "/decide", decides);
    post("confirm error: pending", "/api/requests/" + id + "/confirm", "{}");
    post("confirm error: empty body", "/api/requests/" + id + "/confirm", "");
    post("confirm error: array body", "/api/requests/" + id + "/confirm", "[]");
    for (String q : List.of("limit=0", "limit=101", "limit=abc", "offset=-1", "offset=x",
        "status=nope", "urgency=nope", "status=DENIED", "status=cancelled&limit=100")) {
      get("list query: " + q, "/api/requests?" + q);
    }
  }

  private void policies() {
    String p1 = post("policy create", "/api/policies", """
        {"name":"auto-approve-low-risk","priority":10,"enabled":true,"rules":[
          {"match":{"action":"send_notification"},"decision":"auto_approve"},
          {"match":{"params.amount":{"$gt":1000}},"decision":"auto_deny"}]}""").text("id");
    pause();
    String p2 = post("policy create defaults", "/api/policies",
        "{\"name\":\"defaults\",\"rules\":[]}").text("id");
    pause();
    post("policy create with a whole float priority", "/api/policies",
        "{\"name\":\"float\",\"priority\":7.0,\"enabled\":null,\"rules\":[]}");
    String[][] bad = {
        {"{}", "no name"}, {"{\"name\":5,\"rules\":[]}", "numeric name"},
        {"{\"name\":\"  \",\"rules\":[]}", "blank name"},
        {"{\"name\":\"" + "n".repeat(201) + "\",\"rules\":[]}", "long name"},
        {"{\"name\":\"p\"}", "no rules"}, {"{\"name\":\"p\",\"rules\":null}", "null rules"},
        {"{\"name\":\"p\",\"rules\":{}}", "object rules"},
        {"{\"name\":\"p\",\"rules\":[],\"priority\":\"high\"}", "text priority"},
        {"{\"name\":\"p\",\"rules\":[],\"priority\":2.5}", "fractional priority"},
        {"{\"name\":\"p\",\"rules\":[],\"priority\":1e12}", "huge priority"},
        {"{\"name\":\"p\",\"rules\":[],\"priority\":99999999999999999999999}", "huger priority"},
        {"{\"name\":\"p\",\"rules\":[],\"enabled\":\"yes\"}", "text enabled"},
        {"{\"name\":\"p\",\"rules\":[],\"enabled\":1}", "numeric enabled"},
        {"{\"name\":\"bad\",\"rules\":[{\"match\":{\"action\":{\"$regex\":\"(\"}},\"decision\":\"auto_approve\"}]}",
            "bad regex"},
        {"{\"name\":\"bad\",\"rules\":[{\"match\":{},\"decision\":\"maybe\"}]}", "bad decision"},
    };
    each("policy create error", "POST", "/api/policies", bad);
    get("policy get", "/api/policies/" + p1);
    get("policy get unknown", "/api/policies/pol_00000000000000000000");
    get("policy get malformed", "/api/policies/nope");
    send("policy put", "PUT", "/api/policies/" + p1, "{\"enabled\":false}");
    send("policy patch", "PATCH", "/api/policies/" + p1,
        """
        {"name":"renamed","priority":3,"enabled":true,"rules":[
          {"match":{"action":"send_notification"},"decision":"auto_approve"},
          {"match":{"params.amount":{"$gt":1000}},"decision":"auto_deny"}]}""");
    send("policy put nulls", "PUT", "/api/policies/" + p2,
        "{\"name\":null,\"priority\":null,\"enabled\":null,\"rules\":null}");
    String[][] badUpdates = {
        {"{\"name\":\"  \"}", "blank name"}, {"{\"name\":5}", "numeric name"},
        {"{\"priority\":2.5}", "fractional priority"}, {"{\"enabled\":\"no\"}", "text enabled"},
        {"{\"rules\":5}", "numeric rules"}, {"", "empty"},
    };
    each("policy put error", "PUT", "/api/policies/" + p2, badUpdates);
    send("policy put unknown", "PUT", "/api/policies/pol_00000000000000000000", "{\"name\":5}");
    send("policy put malformed", "PUT", "/api/policies/nope", "{}");
    get("policy list", "/api/policies");
    get("policy list paged", "/api/policies?limit=1&offset=1");
    get("policy list bad limit", "/api/policies?limit=500");

    post("simulate match", "/api/policies/simulate", "{\"action\":\"send_notification\"}");
    post("simulate second rule", "/api/policies/simulate",
        "{\"action\":\"wire\",\"urgency\":\"critical\",\"params\":{\"amount\":5000},\"context\":{}}");
    post("simulate none", "/api/policies/simulate", "{\"action\":\"other\"}");
    each("simulate error", "POST", "/api/policies/simulate", new String[][] {
        {"{}", "no action"}, {"{\"action\":5}", "numeric action"},
        {"{\"action\":\"x\",\"urgency\":\"bad\"}", "bad urgency"},
        {"{\"action\":\"x\",\"params\":5}", "numeric params"},
        {"{\"action\":\"x\",\"context\":[]}", "array context"}});

    String auto = post("create auto-approved", "/api/requests", "{\"action\":\"send_notification\"}")
        .text("id");
    pause();
    String denied = post("create auto-denied", "/api/requests",
        "{\"action\":\"wire\",\"params\":{\"amount\":5000}}").text("id");
    pause();
    get("audit auto-approved", "/api/requests/" + auto + "/audit");
    get("audit auto-denied", "/api/requests/" + denied + "/audit");

    delete("policy delete", "/api/policies/" + p1);
    delete("policy delete again", "/api/policies/" + p1);
    delete("policy delete malformed", "/api/policies/nope");
  }

  private void audit() {
    get("audit log", "/api/audit");
    get("audit log paged", "/api/audit?limit=3&offset=2");
    get("audit log by event", "/api/audit?eventType=denied");
    get("audit log by actor", "/api/audit?actor=alice@example.com");
    get("audit log by status and action", "/api/audit?status=approved&action=send_email");
    get("audit log by day", "/api/audit?from=2000-01-01&to=2999-12-31&limit=2");
    get("audit log by request", "/api/audit?requestId=00000000-0000-4000-8000-000000000000");
    for (String q : List.of("limit=0", "from=bad", "to=2024-13-45", "status=nope", "offset=-5")) {
      get("audit log query: " + q, "/api/audit?" + q);
    }
    get("audit actors", "/api/audit/actors");
  }

  private void mcpTools() {
    JsonNode created = tool("mcp request", "agentgate_request", Map.of("action", "mcp_action",
        "params", Map.of("a", 1), "context", Map.of("b", List.of(true)), "urgency", "low"));
    String id = created.path("id").asText();
    tool("mcp request error", "agentgate_request", Map.of("params", Map.of()));
    tool("mcp request error numeric action", "agentgate_request", Map.of("action", 5));
    tool("mcp get", "agentgate_get", Map.of("id", id));
    tool("mcp get unknown", "agentgate_get", Map.of("id", "00000000-0000-4000-8000-000000000000"));
    tool("mcp get no id", "agentgate_get", Map.of());
    tool("mcp list", "agentgate_list", Map.of("status", "pending", "limit", 2));
    tool("mcp list error", "agentgate_list", Map.of("limit", 0));
    tool("mcp decide error", "agentgate_decide", Map.of("id", id, "decision", "maybe"));
    tool("mcp decide unknown", "agentgate_decide",
        Map.of("id", "00000000-0000-4000-8000-000000000000", "decision", 5));
    tool("mcp decide", "agentgate_decide", Map.of("id", id, "decision", "denied", "reason", "no"));
    JsonNode policy = tool("mcp create policy", "agentgate_create_policy", Map.of("name", "mcp-policy",
        "rules", List.of(Map.of("match", Map.of("action", "never"), "decision", "auto_deny")),
        "priority", 1000));
    String pid = policy.path("id").asText();
    tool("mcp create policy error", "agentgate_create_policy", Map.of("name", "no-rules"));
    tool("mcp create policy error enabled", "agentgate_create_policy",
        Map.of("name", "x", "rules", List.of(), "enabled", "yes"));
    tool("mcp update policy", "agentgate_update_policy", Map.of("id", pid, "name", "mcp-renamed",
        "rules", List.of(), "enabled", false));
    tool("mcp update policy no name", "agentgate_update_policy", Map.of("id", pid, "rules", List.of()));
    tool("mcp update policy no rules", "agentgate_update_policy", Map.of("id", pid, "name", "n"));
    tool("mcp update policy unknown", "agentgate_update_policy",
        Map.of("id", "pol_00000000000000000000", "name", 5));
    tool("mcp list policies", "agentgate_list_policies", Map.of("limit", 10));
    tool("mcp delete policy", "agentgate_delete_policy", Map.of("id", pid));
    tool("mcp delete policy again", "agentgate_delete_policy", Map.of("id", pid));
    tool("mcp audit", "agentgate_list_audit_logs", Map.of("requestId", id));
    tool("mcp audit error", "agentgate_list_audit_logs", Map.of("from", "bad"));
  }

  private void webhooks() throws Exception {
    String hook = post("webhook create", "/api/webhooks", """
        {"url":"%s","events":["request.created","request.created","request.approved"],
         "secret":"%s"}""".formatted(receiver.url("/snap"), "s".repeat(40))).text("id");
    pause();
    String generated = post("webhook create with a generated secret", "/api/webhooks",
        "{\"url\":\"%s\",\"events\":[\"*\"],\"secret\":null}".formatted(receiver.url("/snap-all")))
        .text("id");
    String[][] bad = {
        {"{}", "no url"}, {"{\"url\":5,\"events\":[\"*\"]}", "numeric url"},
        {"{\"url\":\"ftp://x\",\"events\":[\"*\"]}", "ftp url"},
        {"{\"url\":\"http://127.0.0.1:9/x\"}", "no events"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":\"*\"}", "text events"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":[1]}", "numeric event"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":[]}", "no event"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"request.nope\"]}", "unknown event"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"*\"],\"secret\":5}", "numeric secret"},
        {"{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"*\"],\"secret\":\"short\"}", "short secret"},
    };
    each("webhook create error", "POST", "/api/webhooks", bad);
    get("webhook list", "/api/webhooks");
    send("webhook patch events", "PATCH", "/api/webhooks/" + generated,
        "{\"events\":[\"request.denied\"],\"url\":null,\"enabled\":null}");
    send("webhook patch disable", "PATCH", "/api/webhooks/" + generated, "{\"enabled\":false}");
    String[][] badPatches = {
        {"{\"enabled\":\"no\"}", "text enabled"}, {"{\"url\":5}", "numeric url"},
        {"{\"events\":\"x\"}", "text events"}, {"{\"url\":\"ftp://x\"}", "ftp url"}, {"", "empty"},
    };
    each("webhook patch error", "PATCH", "/api/webhooks/" + generated, badPatches);
    send("webhook patch unknown", "PATCH", "/api/webhooks/wh_00000000000000000000", "{\"enabled\":true}");
    send("webhook patch malformed", "PATCH", "/api/webhooks/nope", "{\"enabled\":true}");

    post("webhook test", "/api/webhooks/" + hook + "/test", "");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String dead = app.post("/api/webhooks", ADMIN_KEY, Map.of("url", "http://127.0.0.1:" + closed + "/x",
        "events", List.of("request.expired"))).text("id");
    Resp deadTest = app.post("/api/webhooks/" + dead + "/test", ADMIN_KEY, "");
    recordText("webhook test of a closed port", deadTest.status() + " "
        + deadTest.raw().body().replace(":" + closed, ":<closed>"));
    post("webhook test unknown", "/api/webhooks/wh_00000000000000000000/test", "");
    app.delete("/api/webhooks/" + dead, ADMIN_KEY);

    String id = post("create webhooked", "/api/requests",
        "{\"action\":\"webhooked\",\"params\":{\"k\":\"v\"}}").text("id");
    post("approve webhooked", "/api/requests/" + id + "/decide", "{\"decision\":\"approved\"}");
    assertThat(eventually(Duration.ofSeconds(20), () -> {
      JsonNode d = app.get("/api/webhooks/" + hook + "/deliveries", ADMIN_KEY).body();
      return d.size() == 2 && d.get(0).path("status").asText().equals("delivered")
          && d.get(1).path("status").asText().equals("delivered");
    })).isTrue();
    Resp deliveries = get("webhook deliveries", "/api/webhooks/" + hook + "/deliveries");
    get("webhook deliveries unknown", "/api/webhooks/wh_00000000000000000000/deliveries");
    get("webhook deliveries malformed", "/api/webhooks/nope/deliveries");
    List<CallbackReceiver.Received> received = new ArrayList<>(receiver.to("/snap"));
    received.removeIf(r -> !r.body().contains("\"request.")); // the test event
    received.sort((a, b) -> a.body().compareTo(b.body()));
    for (CallbackReceiver.Received r : received) {
      recordText("webhook payload received", r.body());
    }
    String first = deliveries.body().get(1).path("id").asText();
    Resp replay = post("webhook replay", "/api/webhooks/" + hook + "/deliveries/" + first + "/replay", "");
    assertThat(replay.status()).isEqualTo(201);
    post("webhook replay unknown delivery",
        "/api/webhooks/" + hook + "/deliveries/dlv_00000000000000000000000000000000/replay", "");
    assertThat(eventually(Duration.ofSeconds(20), () -> app.get("/api/webhooks/" + hook
        + "/deliveries", ADMIN_KEY).body().path(0).path("status").asText().equals("delivered"))).isTrue();

    delete("webhook delete", "/api/webhooks/" + hook);
    delete("webhook delete again", "/api/webhooks/" + hook);
    delete("webhook delete malformed", "/api/webhooks/nope");
    app.delete("/api/webhooks/" + generated, ADMIN_KEY);
  }

  private void keys() {
    String id = post("key create", "/api/keys", """
        {"name":"My Agent","scopes":["request:create","request:read","request:create"],
         "rateLimit":60}""").text("id");
    pause();
    post("key create unlimited", "/api/api-keys",
        "{\"name\":\"free\",\"scopes\":[\"admin\"],\"rateLimit\":0}");
    pause();
    post("key create whole float", "/api/keys",
        "{\"name\":\"float\",\"scopes\":[\"request:read\"],\"rateLimit\":5.0}");
    pause();
    post("key create null limit", "/api/keys",
        "{\"name\":\"nl\",\"scopes\":[\"request:read\"],\"rateLimit\":null}");
    String[][] bad = {
        {"{}", "no name"}, {"{\"name\":5,\"scopes\":[\"admin\"]}", "numeric name"},
        {"{\"name\":\"" + "k".repeat(201) + "\",\"scopes\":[\"admin\"]}", "long name"},
        {"{\"name\":\"k\"}", "no scopes"}, {"{\"name\":\"k\",\"scopes\":[]}", "empty scopes"},
        {"{\"name\":\"k\",\"scopes\":\"admin\"}", "text scopes"},
        {"{\"name\":\"k\",\"scopes\":[\"root\"]}", "unknown scope"},
        {"{\"name\":\"k\",\"scopes\":[1]}", "numeric scope"},
        {"{\"name\":\"k\",\"scopes\":[\"admin\"],\"rateLimit\":\"x\"}", "text rateLimit"},
        {"{\"name\":\"k\",\"scopes\":[\"admin\"],\"rateLimit\":1.5}", "fractional rateLimit"},
        {"{\"name\":\"k\",\"scopes\":[\"admin\"],\"rateLimit\":2000000}", "huge rateLimit"},
    };
    each("key create error", "POST", "/api/keys", bad);
    get("key list", "/api/keys");
    get("key list alias", "/api/api-keys");
    delete("key revoke", "/api/keys/" + id);
    delete("key revoke again", "/api/keys/" + id);
    delete("key revoke unknown", "/api/api-keys/nope");
    get("key list after revoke", "/api/keys");
  }

  private void loopatTokens() {
    Identities ids = new Identities(app);
    Identities.User user = ids.newUser("snap");
    normal.literal(user.username(), "<username>");
    record("token create", cookie("POST", user, "{\"label\":\"my bot\"}"));
    pause();
    record("token create without a body", cookie("POST", user, null));
    pause();
    Resp blank = record("token create with a blank label", cookie("POST", user, "{\"label\":\"  \"}"));
    record("token create error: numeric label", cookie("POST", user, "{\"label\":5}"));
    record("token create error: long label", cookie("POST", user, "{\"label\":\"" + "l".repeat(201) + "\"}"));
    record("token create error: array", cookie("POST", user, "[]"));
    record("token list", cookie("GET", user, null));
    ids.bearer("GET", "/api/requests", blank.text("token"), null);
    record("token list after use", cookie("GET", user, null));
    record("token revoke", app.send(app.builder("/api/v1/me/tokens/" + blank.text("tokenId"), null)
        .header("Cookie", "loopat_session=" + user.token()).DELETE()));
    record("token revoke unknown", app.send(app.builder("/api/v1/me/tokens/tok_000000000000", null)
        .header("Cookie", "loopat_session=" + user.token()).DELETE()));
    record("token revoke not a token", app.send(app.builder("/api/v1/me/tokens/nope", null)
        .header("Cookie", "loopat_session=" + user.token()).DELETE()));
    record("token list with a bearer", ids.bearer("GET", "/api/v1/me/tokens", user.token(), null));
  }

  private Resp cookie(String method, Identities.User user, String body) {
    return app.send(app.builder("/api/v1/me/tokens", null)
        .header("Cookie", "loopat_session=" + user.token())
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)));
  }

  private void compare() throws IOException {
    String actual = out.toString();
    String target = System.getProperty("interlock.snapshot.write");
    if (target != null && !target.isBlank()) {
      Files.writeString(Path.of(target), actual, StandardCharsets.UTF_8);
      return;
    }
    String expected;
    try (InputStream in = getClass().getResourceAsStream("/" + SNAPSHOT)) {
      assertThat(in).as(SNAPSHOT + " on the test class path").isNotNull();
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> want = sections(expected);
    Map<String, String> got = sections(actual);
    assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
    for (var e : want.entrySet()) {
      assertThat(got.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  /** The snapshot's sections by name; a name used twice is numbered. */
  private static Map<String, String> sections(String text) {
    Map<String, String> sections = new LinkedHashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : (text + "\n### end").split("\n")) {
      if (line.startsWith("### ")) {
        if (name != null) {
          String key = name;
          for (int i = 2; sections.containsKey(key); i++) {
            key = name + " #" + i;
          }
          sections.put(key, body.toString());
        }
        name = line.substring(4);
        body.setLength(0);
      } else {
        body.append(line).append('\n');
      }
    }
    return sections;
  }

  /** Replaces what differs from run to run; ids numbered by kind in order of appearance. */
  static final class Normalizer {
    private static final Pattern TIME =
        Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
    private static final Pattern IDS = Pattern.compile(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            + "|pol_[0-9a-f]{20}|wh_[0-9a-f]{20}|dlv_[0-9a-f]{32}|tok_[0-9a-f]{12}");
    private static final Pattern SECRETS =
        Pattern.compile("agk_[0-9a-f]{64}|la_[0-9a-f]{48}|whsec_[0-9a-f]{64}");
    private static final Pattern MS =
        Pattern.compile("\"(durationMs|oldest_pending_age_ms)\":\\d+");
    private static final Pattern AUDIT_ID = Pattern.compile("\"id\":\"(\\d+)\"");
    private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");
    private static final Pattern ECHOED_TIMESTAMP = Pattern.compile("timestamp \\d+");

    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, String> literals = new LinkedHashMap<>();

    void literal(String value, String placeholder) {
      literals.put(value, placeholder);
    }

    String apply(String text) {
      if (text == null) {
        return "<no body>";
      }
      String s = text;
      for (var e : literals.entrySet()) {
        s = s.replace(e.getKey(), e.getValue());
      }
      s = replace(SECRETS, s, m -> "<" + m.group().substring(0, m.group().indexOf('_')) + "-secret>");
      s = replace(IDS, s, m -> ids.computeIfAbsent(m.group(), k -> "<" + kind(k) + "-"
          + ids.keySet().stream().filter(x -> kind(x).equals(kind(k))).count() + ">"));
      s = replace(TIME, s, m -> "<time>");
      s = replace(MS, s, m -> "\"" + m.group(1) + "\":<ms>");
      s = replace(AUDIT_ID, s, m -> "\"id\":\"<n>\"");
      s = replace(PORT, s, m -> "127.0.0.1:<port>");
      s = replace(ECHOED_TIMESTAMP, s, m -> "timestamp <n>");
      return s;
    }

    private static String kind(String id) {
      int underscore = id.indexOf('_');
      return underscore > 0 && underscore < 4 ? id.substring(0, underscore) : "uuid";
    }

    private static String replace(Pattern p, String s,
        java.util.function.Function<Matcher, String> with) {
      Matcher m = p.matcher(s);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(b, Matcher.quoteReplacement(with.apply(m)));
      }
      m.appendTail(b);
      return b.toString();
    }
  }
}
