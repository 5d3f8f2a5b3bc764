package dev.interlock.server;

import static dev.interlock.server.McpClients.call;
import static dev.interlock.server.McpClients.text;
import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoopIn's wire format byte for byte: every response body of {@code /interrupts},
 * {@code /analytics} and LoopIn's MCP tools, successes and refusals, compared as raw text
 * (field order, nulls present or absent, number forms, messages) with what it was before
 * the rendering and parsing moved to typed records. Ids, times and review tokens differ per
 * run and are replaced by placeholders first; nothing else is.
 */
class LoopinWireSnapshotTest {

  @TempDir static Path data;
  static TestApp app;
  static McpSyncClient mcp;

  @BeforeAll
  static void start() {
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
  }

  private static final Pattern TIME =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
  private static final Pattern TOKEN = Pattern.compile("token=[^\"]*");
  private static final Pattern MILLIS = Pattern.compile("\"avgResponseTimeMs\":\\d+");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** What was seen, in order: a name and the answer, normalised once every id is named. */
  private final Map<String, String> seen = new LinkedHashMap<>();
  private final Map<String, String> ids = new LinkedHashMap<>();

  private String normalised(String raw) {
    String s = raw;
    for (Map.Entry<String, String> id : ids.entrySet()) {
      s = s.replace(id.getKey(), id.getValue());
    }
    s = UUID.matcher(s).replaceAll("<other-id>");
    s = TIME.matcher(s).replaceAll("<time>");
    s = MILLIS.matcher(s).replaceAll("\"avgResponseTimeMs\":<whole number>");
    return TOKEN.matcher(s).replaceAll("token=<token>");
  }

  private String named(String id, String name) {
    ids.put(id, "<" + name + ">");
    return id;
  }

  private Resp rest(String name, Resp r) {
    String type = r.raw().headers().firstValue("Content-Type").orElse("-");
    String replayed = r.raw().headers().firstValue("Idempotent-Replayed")
        .map(v -> " replayed=" + v).orElse("");
    seen.put(name, r.status() + " " + type + replayed + " " + r.raw().body());
    return r;
  }

  private CallToolResult tool(String name, String tool, Map<String, Object> arguments) {
    CallToolResult result = call(mcp, tool, arguments);
    seen.put(name, (Boolean.TRUE.equals(result.isError()) ? "error " : "ok ")
        + text(result));
    return result;
  }

  private String created(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  private String fresh(String user) {
    return created(app.post("/interrupts", ADMIN_KEY, interrupt(user, "fresh")));
  }

  private String compared(String expectedResource) {
    StringBuilder out = new StringBuilder();
    seen.forEach((k, v) -> out.append(k).append(": ").append(normalised(v)).append('\n'));
    try {
      Path dump = Path.of("target", "loopin-wire", expectedResource);
      Files.createDirectories(dump.getParent());
      Files.writeString(dump, out); // to diff by hand when this test fails
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String expected(String resource) {
    try (var in = LoopinWireSnapshotTest.class.getResourceAsStream("/loopin-wire/" + resource)) {
      assertThat(in).as(resource).isNotNull();
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void restResponses() {
    String user = "snapshot-rest";
    String a = named(created(rest("create", app.post("/interrupts", ADMIN_KEY, interrupt(user,
        "Transfer $4,200", "context", Map.of("amount", 4200, "vendor", "Acme"),
        "urgency", "high", "expiresIn", 1800)))), "a");
    String b = named(created(rest("create.defaults",
        app.post("/interrupts", ADMIN_KEY, interrupt(user, "Delete records")))), "b");
    rest("create.replay.first", app.post("/interrupts", ADMIN_KEY,
        interrupt("snapshot-replay", "once", "urgency", "critical"), Map.of("Idempotency-Key", "k-1")));
    rest("create.replay.second", app.post("/interrupts", ADMIN_KEY,
        interrupt("snapshot-replay", "once", "urgency", "critical"), Map.of("Idempotency-Key", "k-1")));
    named(created(app.post("/interrupts", ADMIN_KEY, interrupt("snapshot-replay", "once",
        "urgency", "critical"), Map.of("Idempotency-Key", "k-1"))), "replayed");
    rest("get.pending", app.get("/interrupts/" + a, ADMIN_KEY));
    rest("get.pending.defaults", app.get("/interrupts/" + b, ADMIN_KEY));
    rest("get.wait.pending", app.get("/interrupts/" + b + "?wait=1", ADMIN_KEY));
    rest("pending", app.get("/interrupts/pending/" + user, ADMIN_KEY));
    rest("pending.none", app.get("/interrupts/pending/nobody-at-all", ADMIN_KEY));

    rest("decide", app.post("/interrupts/" + a + "/decide", ADMIN_KEY, Map.of(
        "decision", "approved", "reason", "ok", "modifiedParams", Map.of("amount", 4000))));
    rest("get.approved", app.get("/interrupts/" + a, ADMIN_KEY));
    rest("get.wait.approved", app.get("/interrupts/" + a + "?wait=5", ADMIN_KEY));
    rest("decide.again", app.post("/interrupts/" + a + "/decide", ADMIN_KEY,
        Map.of("decision", "rejected")));
    rest("cancel.decided", app.delete("/interrupts/" + a, ADMIN_KEY));
    rest("cancel", app.delete("/interrupts/" + b, ADMIN_KEY));
    rest("get.cancelled", app.get("/interrupts/" + b, ADMIN_KEY));
    String c = named(fresh(user), "c");
    rest("decide.rejected", app.post("/interrupts/" + c + "/decide", ADMIN_KEY,
        "{\"decision\":\"DENY\",\"reason\":null,\"modifiedParams\":null}"));
    rest("get.rejected", app.get("/interrupts/" + c, ADMIN_KEY));
    rest("events", app.get("/interrupts/" + a + "/events", ADMIN_KEY));
    rest("events.cancelled", app.get("/interrupts/" + b + "/events", ADMIN_KEY));
    rest("analytics", app.get("/analytics/" + user, ADMIN_KEY));
    rest("analytics.none", app.get("/analytics/nobody-at-all", ADMIN_KEY));
    for (String decision : List.of("approved", "approved", "rejected")) {
      app.post("/interrupts/" + fresh("snapshot-rate") + "/decide", ADMIN_KEY,
          Map.of("decision", decision));
    }
    rest("analytics.twoThirds", app.get("/analytics/snapshot-rate", ADMIN_KEY));

    // One asked through AgentGate, read through LoopIn: params in the context, critical is high.
    String g = named(app.post("/api/requests", ADMIN_KEY, Map.of("action", "send_email",
        "params", Map.of("to", "a@example.com"), "context", Map.of("deal", 5),
        "urgency", "critical")).text("id"), "g");
    rest("get.agentgate", app.get("/interrupts/" + g, ADMIN_KEY));

    badCreates();
    badDecides(user);
    badIds();
    assertThat(compared("rest.txt")).isEqualTo(expected("rest.txt"));
  }

  private void badCreates() {
    String ok = "\"agentId\":\"a\",\"userId\":\"snapshot-bad\",\"action\":\"x\"";
    String big = new BigInteger("10").pow(400).toString();
    List<String> bodies = List.of("", "   ", "[]", "\"x\"", "{oops", "null", "{}",
        "{\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":null,\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":5,\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":1.5,\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":true,\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":{},\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":[\"a\"],\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":\"\",\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":\"  \",\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":\"" + "a".repeat(257) + "\",\"userId\":\"u\",\"action\":\"x\"}",
        "{\"agentId\":\"a\",\"action\":\"x\"}",
        "{\"agentId\":\"a\",\"userId\":5,\"action\":\"x\"}",
        "{\"agentId\":\"a\",\"userId\":\"" + "u".repeat(257) + "\",\"action\":\"x\"}",
        "{\"agentId\":\"a\",\"userId\":\"u\"}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":[]}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"" + "x".repeat(10_001) + "\"}",
        "{" + ok + ",\"context\":[1]}",
        "{" + ok + ",\"context\":\"x\"}",
        "{" + ok + ",\"context\":5}",
        "{" + ok + ",\"urgency\":5}",
        "{" + ok + ",\"urgency\":\"urgent\"}",
        "{" + ok + ",\"urgency\":\"\"}",
        "{" + ok + ",\"urgency\":[\"low\"]}",
        "{" + ok + ",\"expiresIn\":0}",
        "{" + ok + ",\"expiresIn\":-1}",
        "{" + ok + ",\"expiresIn\":-0.0}",
        "{" + ok + ",\"expiresIn\":3.5}",
        "{" + ok + ",\"expiresIn\":\"60\"}",
        "{" + ok + ",\"expiresIn\":true}",
        "{" + ok + ",\"expiresIn\":[60]}",
        "{" + ok + ",\"expiresIn\":{}}",
        "{" + ok + ",\"expiresIn\":31536001}",
        "{" + ok + ",\"expiresIn\":" + big + "}",
        "{" + ok + ",\"expiresIn\":-" + big + "}",
        "{" + ok + ",\"expiresIn\":1e400}",
        "{" + ok + ",\"callbackUrl\":5}",
        "{" + ok + ",\"callbackUrl\":{}}",
        "{" + ok + ",\"callbackUrl\":\"" + "h".repeat(2049) + "\"}",
        "{" + ok + ",\"callbackUrl\":\"ftp://x/y\"}",
        "{" + ok + ",\"callbackUrl\":\"not a url\"}",
        "{" + ok + ",\"action\":\"a\\u0000b\"}",
        // More than one thing wrong. A value of the wrong kind is refused while the body is
        // bound, before LoopIn's own checks (required, blank, lengths, ranges) run, so it is
        // the one named; until the bodies were typed records the first fault in LoopIn's
        // order of fields was named ("agentId is required" for the first two).
        "{\"userId\":5,\"action\":\"x\"}",
        "{\"agentId\":\"\",\"userId\":5,\"action\":\"x\"}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"x\",\"urgency\":\"bad\",\"context\":5}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"x\",\"expiresIn\":0,\"callbackUrl\":5}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"x\",\"callbackUrl\":5,\"expiresIn\":0}",
        "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"x\",\"urgency\":\"bad\",\"expiresIn\":\"x\"}",
        // Two of the wrong kind: the first in the body is named (it was agentId, first checked).
        "{\"userId\":5,\"agentId\":6,\"action\":\"x\"}");
    for (int i = 0; i < bodies.size(); i++) {
      rest("create.bad." + i, app.post("/interrupts", ADMIN_KEY, bodies.get(i)));
    }
    rest("create.badKey.long", app.post("/interrupts", ADMIN_KEY,
        interrupt("snapshot-bad", "x"), Map.of("Idempotency-Key", "k".repeat(256))));
    // Accepted variants: only the status and the shape matter.
    List<String> accepted = List.of(
        "{" + ok + ",\"expiresIn\":3.0}",
        "{" + ok + ",\"expiresIn\":null,\"context\":null,\"urgency\":null,\"callbackUrl\":null}",
        "{" + ok + ",\"urgency\":\"CRITICAL\"}",
        "{" + ok + ",\"urgency\":\"Normal\"}",
        "{" + ok + ",\"callbackUrl\":\"   \"}",
        "{" + ok + ",\"unknown\":[1,{\"x\":2}]}");
    for (int i = 0; i < accepted.size(); i++) {
      Resp r = app.post("/interrupts", ADMIN_KEY, accepted.get(i));
      String id = created(r);
      named(id, "accepted-" + i);
      rest("create.accepted." + i, r);
      rest("create.accepted." + i + ".get", app.get("/interrupts/" + id, ADMIN_KEY));
    }
  }

  private void badDecides(String user) {
    String id = named(fresh(user), "d");
    List<String> bodies = List.of("", "[]", "{oops", "{}", "{\"decision\":null}",
        "{\"decision\":5}", "{\"decision\":true}", "{\"decision\":{}}", "{\"decision\":\"\"}",
        "{\"decision\":\" \"}", "{\"decision\":\"maybe\"}",
        "{\"decision\":\"approved\",\"reason\":5}",
        "{\"decision\":\"approved\",\"reason\":\"" + "r".repeat(10_001) + "\"}",
        "{\"decision\":\"approved\",\"modifiedParams\":\"text\"}",
        "{\"decision\":\"approved\",\"modifiedParams\":[1]}",
        "{\"decision\":\"approved\",\"modifiedParams\":5}",
        // Several faults: the wrong kind is named (it was "decision is required", "decision
        // must be approved or rejected" twice until the bodies were typed records).
        "{\"reason\":5}",
        "{\"decision\":\"maybe\",\"reason\":5}",
        "{\"decision\":\"maybe\",\"modifiedParams\":5}");
    for (int i = 0; i < bodies.size(); i++) {
      rest("decide.bad." + i, app.post("/interrupts/" + id + "/decide", ADMIN_KEY, bodies.get(i)));
    }
    rest("decide.bad.stillPending", app.get("/interrupts/" + id, ADMIN_KEY));
    List<String> accepted = List.of("{\"decision\":\"approve\"}", "{\"decision\":\"Rejected\"}",
        "{\"decision\":\"deny\",\"reason\":\"\",\"modifiedParams\":{}}",
        "{\"decision\":\"APPROVED\",\"extra\":5}");
    for (int i = 0; i < accepted.size(); i++) {
      String fresh = named(fresh(user), "decided-" + i);
      rest("decide.accepted." + i,
          app.post("/interrupts/" + fresh + "/decide", ADMIN_KEY, accepted.get(i)));
      rest("decide.accepted." + i + ".get", app.get("/interrupts/" + fresh, ADMIN_KEY));
    }
  }

  private void badIds() {
    for (String id : List.of("3f4e2a1b-0000-4000-8000-000000000000", "nope",
        "3F4E2A1B-0000-4000-8000-000000000000", "1'%20or%20'1'='1")) {
      rest("id." + id + ".get", app.get("/interrupts/" + id, ADMIN_KEY));
      rest("id." + id + ".wait", app.get("/interrupts/" + id + "?wait=1", ADMIN_KEY));
      rest("id." + id + ".decide", app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
          "{\"decision\":5}"));
      rest("id." + id + ".cancel", app.delete("/interrupts/" + id, ADMIN_KEY));
      rest("id." + id + ".events", app.get("/interrupts/" + id + "/events", ADMIN_KEY));
    }
    String id = named(fresh("snapshot-ids"), "e");
    rest("wait.abc", app.get("/interrupts/" + id + "?wait=abc", ADMIN_KEY));
    rest("wait.negative", app.get("/interrupts/" + id + "?wait=-1", ADMIN_KEY));
    rest("wait.blank", app.get("/interrupts/" + id + "?wait=", ADMIN_KEY));
    rest("get.upperCase", app.get("/interrupts/" + id.toUpperCase(), ADMIN_KEY));
  }

  @Test
  void mcpResults() {
    String user = "snapshot-mcp";
    String a = named(McpClients.ok(tool("create", "create_interrupt", Map.of("agentId", "a1",
        "userId", user, "action", "send_invoice", "context", Map.of("amount", 120),
        "urgency", "high", "expiresIn", 600))).path("interruptId").asText(), "a");
    String b = named(McpClients.ok(tool("create.defaults", "create_interrupt",
        Map.of("agentId", "a1", "userId", user, "action", "delete_repo", "context", Map.of())))
        .path("interruptId").asText(), "b");
    tool("get.pending", "get_interrupt_status", Map.of("interruptId", a));
    tool("pending", "list_pending_interrupts", Map.of("userId", user));
    tool("decide", "decide_interrupt", Map.of("interruptId", a, "decision", "approved",
        "reason", "fine", "modifiedParams", Map.of("amount", 100)));
    tool("get.approved", "get_interrupt_status", Map.of("interruptId", a));
    tool("decide.again", "decide_interrupt", Map.of("interruptId", a, "decision", "rejected"));
    tool("cancel", "cancel_interrupt", Map.of("interruptId", b));
    tool("cancel.again", "cancel_interrupt", Map.of("interruptId", b));
    tool("get.cancelled", "get_interrupt_status", Map.of("interruptId", b));
    tool("analytics", "get_interrupt_analytics", Map.of("userId", user));
    tool("analytics.none", "get_interrupt_analytics", Map.of("userId", "nobody-at-all"));

    String unknown = "00000000-0000-4000-8000-000000000000";
    String c = named(McpClients.ok(call(mcp, "create_interrupt", Map.of("agentId", "a1",
        "userId", user, "action", "x", "context", Map.of()))).path("interruptId").asText(), "c");
    Map<String, List<Map<String, Object>>> bad = new LinkedHashMap<>();
    bad.put("create_interrupt", List.of(Map.of(),
        Map.of("userId", user, "action", "x", "context", Map.of()),
        Map.of("agentId", 5, "userId", user, "action", "x"),
        Map.of("agentId", "", "userId", user, "action", "x"),
        Map.of("agentId", List.of("a"), "userId", user, "action", "x"),
        Map.of("agentId", "a", "userId", "u".repeat(257), "action", "x"),
        Map.of("agentId", "a", "userId", user, "action", "x", "context", List.of(1)),
        Map.of("agentId", "a", "userId", user, "action", "x", "urgency", "soon"),
        Map.of("agentId", "a", "userId", user, "action", "x", "urgency", 3),
        Map.of("agentId", "a", "userId", user, "action", "x", "expiresIn", "60"),
        Map.of("agentId", "a", "userId", user, "action", "x", "expiresIn", 2.5),
        Map.of("agentId", "a", "userId", user, "action", "x", "expiresIn", 0),
        Map.of("agentId", "a", "userId", user, "action", "x", "expiresIn",
            BigInteger.TEN.pow(400)),
        Map.of("agentId", "a", "userId", user, "action", "x", "callbackUrl", 5),
        Map.of("userId", 5, "action", "x")));
    bad.put("get_interrupt_status", List.of(Map.of(), Map.of("interruptId", 5),
        Map.of("interruptId", ""), Map.of("interruptId", "nope"), Map.of("interruptId", unknown),
        Map.of("interruptId", List.of(c))));
    bad.put("list_pending_interrupts", List.of(Map.of(), Map.of("userId", 5),
        Map.of("userId", " "), Map.of("userId", "u".repeat(257))));
    bad.put("get_interrupt_analytics", List.of(Map.of(), Map.of("userId", 5),
        Map.of("userId", ""), Map.of("userId", "u".repeat(257))));
    bad.put("cancel_interrupt", List.of(Map.of(), Map.of("interruptId", 5),
        Map.of("interruptId", "nope"), Map.of("interruptId", unknown)));
    bad.put("decide_interrupt", List.of(Map.of(), Map.of("decision", "approved"),
        Map.of("interruptId", 5, "decision", "approved"),
        Map.of("interruptId", unknown, "decision", 5),
        Map.of("interruptId", "nope", "decision", "maybe"),
        Map.of("interruptId", c),
        Map.of("interruptId", c, "decision", 5),
        Map.of("interruptId", c, "decision", "maybe"),
        Map.of("interruptId", c, "decision", ""),
        Map.of("interruptId", c, "decision", "approved", "reason", 5),
        Map.of("interruptId", c, "decision", "approved", "modifiedParams", "x"),
        Map.of("interruptId", c, "decision", "approved", "modifiedParams", List.of()),
        Map.of("interruptId", c, "reason", 5)));
    bad.forEach((name, list) -> {
      for (int i = 0; i < list.size(); i++) {
        tool(name + ".bad." + i, name, list.get(i));
      }
    });
    tool("accepted.pending.user", "list_pending_interrupts", Map.of("userId", user));
    tool("accepted.decide", "decide_interrupt", Map.of("interruptId", c, "decision", "Deny",
        "extra", 1));
    tool("accepted.get", "get_interrupt_status", Map.of("interruptId", c));
    String d = named(McpClients.ok(tool("accepted.create", "create_interrupt", Map.of(
        "agentId", "a1", "userId", user, "action", "y", "expiresIn", 3.0, "urgency", "critical",
        "callbackUrl", ""))).path("interruptId").asText(), "d");
    tool("accepted.create.get", "get_interrupt_status", Map.of("interruptId", d));
    assertThat(compared("mcp.txt")).isEqualTo(expected("mcp.txt"));
  }
}
