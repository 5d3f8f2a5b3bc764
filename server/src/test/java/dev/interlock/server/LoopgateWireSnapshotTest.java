package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Loopgate's wire format, byte for byte: every response of {@code /api/auth},
 * {@code /api/user/apikeys}, {@code /hitl} and Loopgate's MCP tools, good and bad, as raw
 * JSON (field order, nulls and absent fields included), against the committed transcript
 * {@code loopgate-wire.txt}. What changes from run to run (ids, times, tokens, keys, the
 * unique username) is replaced by placeholders; ids are numbered by first appearance, so
 * the transcript still says which id is which. Run with {@code -Dsnapshot.update=true} to
 * rewrite the transcript after a deliberate change, and review its diff.
 */
class LoopgateWireSnapshotTest {

  private static final Path SNAPSHOT = Path.of("src/test/resources/snapshots/loopgate-wire.txt");

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static CallbackReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    receiver.close();
  }

  private final StringBuilder transcript = new StringBuilder();
  private String username;

  @Test
  void everyLoopgateResponse_isExactlyAsBefore() throws Exception {
    users();
    String key = app.keyFor("snapshot-owner");
    sessions(key);
    requests(key);
    apiKeys();
    mcp(key);

    String actual = normalize(transcript.toString());
    if (Boolean.getBoolean("snapshot.update")) {
      Files.createDirectories(SNAPSHOT.getParent());
      Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(SNAPSHOT, StandardCharsets.UTF_8));
  }

  private void users() {
    username = Identities.unique("snap");
    section("users");
    post("/api/auth/register", null, Map.of("username", username, "password", Identities.PASSWORD));
    post("/api/auth/register", null, Map.of("username", username, "password", Identities.PASSWORD));
    post("/api/auth/register", null, Map.of("username", username + "x", "password", "short"));
    post("/api/auth/register", null, "{}");
    post("/api/auth/register", null, "");
    post("/api/auth/register", null, "[1]");
    post("/api/auth/register", null, "{bad json");
    post("/api/auth/register", null, "{\"username\":5,\"password\":\"long enough pw\"}");
    post("/api/auth/register", null, "{\"username\":\"  \",\"password\":\"long enough pw\"}");
    post("/api/auth/register", null, "{\"username\":\"someone\"}");
    post("/api/auth/register", null, "{\"username\":\"someone\",\"password\":null}");
    post("/api/auth/register", null, "{\"username\":\"someone\",\"password\":[\"x\"]}");
    post("/api/auth/login", null, Map.of("username", username, "password", Identities.PASSWORD));
    post("/api/auth/login", null, Map.of("username", username, "password", "wrong password"));
    post("/api/auth/login", null, "{\"username\":true,\"password\":\"x\"}");
    post("/api/auth/login", null, "{\"password\":\"x\"}");
  }

  private void sessions(String key) {
    section("sessions");
    post("/hitl/register", key, "{\"session_id\":\"snap-s\",\"client_id\":\"snap-c\",\"telegram_id\":123456789}");
    get("/hitl/status?session_id=snap-s", key);
    post("/hitl/register", key, "{\"session_id\":\"snap-t\",\"client_id\":\"snap-c\",\"telegram_id\":42.0}");
    get("/hitl/status?session_id=snap-t", key);
    post("/hitl/register", key, "{\"session_id\":\"snap-z\",\"client_id\":\"snap-c\",\"telegram_id\":0}");
    get("/hitl/status?session_id=snap-z", key);
    post("/hitl/register", key, "{\"session_id\":\"snap-n\",\"client_id\":\"snap-c\"}");
    get("/hitl/status?session_id=snap-n", key);
    post("/hitl/register", key, "{\"client_id\":\"c\"}");
    post("/hitl/register", key, "{\"session_id\":5,\"client_id\":\"c\"}");
    post("/hitl/register", key, "{\"session_id\":\"" + "s".repeat(257) + "\",\"client_id\":\"c\"}");
    post("/hitl/register", key, "{\"session_id\":\"s\"}");
    post("/hitl/register", key, "{\"session_id\":\"s\",\"client_id\":\" \"}");
    post("/hitl/register", key, "{\"session_id\":\"s\",\"client_id\":\"" + "c".repeat(257) + "\"}");
    post("/hitl/register", key, "{\"session_id\":\"s\",\"client_id\":\"c\",\"telegram_id\":\"12\"}");
    post("/hitl/register", key, "{\"session_id\":\"s\",\"client_id\":\"c\",\"telegram_id\":1.5}");
    post("/hitl/register", key, "{\"session_id\":\"s\",\"client_id\":\"c\",\"telegram_id\":true}");
    post("/hitl/register", key, "{\"session_id\":\"s\\u0000\",\"client_id\":\"c\"}");
    post("/hitl/register", key, "");
    get("/hitl/status", key);
    get("/hitl/status?session_id=", key);
    get("/hitl/status?session_id=nobody", key);
    post("/hitl/deactivate", key, "{\"session_id\":\"snap-n\"}");
    get("/hitl/status?session_id=snap-n", key);
    post("/hitl/deactivate", key, "{}");
    post("/hitl/deactivate", key, "{\"session_id\":7}");
    post("/hitl/deactivate", key, "{\"session_id\":\"nobody\"}");
  }

  private void requests(String key) throws Exception {
    section("requests");
    String s = "\"session_id\":\"snap-s\",\"client_id\":\"snap-c\"";
    String plain = created(post("/hitl/request", key, "{" + s + ",\"message\":\"Deploy v2.1.0?\"}"));
    pause();
    String choice = created(post("/hitl/request", key, "{" + s + ",\"message\":\"Which?\","
        + "\"options\":[\"Deploy\",\"Hold\"],\"metadata\":{\"version\":\"v2.1.0\"},"
        + "\"timeout_seconds\":600.0,\"callback_url\":\"" + receiver.url("/snap") + "\"}"));
    pause();
    String confirm = created(post("/hitl/request", key, "{" + s + ",\"message\":\"Sure?\","
        + "\"request_type\":\" Confirmation \",\"options\":[],\"timeout_seconds\":0,"
        + "\"callback_url\":\"\",\"metadata\":null}"));
    pause();
    // The same owner's requests from other doors, in Loopgate's words.
    Resp agentgate = post("/api/requests", key, "{\"action\":\"send_email\","
        + "\"params\":{\"to\":\"a@b.c\"},\"context\":{\"why\":\"report\"},\"urgency\":\"high\"}");
    pause();
    Resp loopin = post("/interrupts", key, "{\"agentId\":\"agent-x\",\"userId\":\"user-x\","
        + "\"action\":\"delete_file\"}");
    post("/hitl/request", key, "{\"session_id\":\"snap-n\",\"client_id\":\"c\",\"message\":\"m\"}");
    post("/hitl/request", key, "{\"session_id\":\"nobody\",\"client_id\":\"c\",\"message\":\"m\"}");
    for (String bad : List.of(
        "{\"client_id\":\"c\",\"message\":\"m\"}",
        "{\"session_id\":\"snap-s\",\"message\":\"m\"}",
        "{" + s + "}",
        "{" + s + ",\"message\":\"\"}",
        "{" + s + ",\"message\":5}",
        "{" + s + ",\"message\":{\"a\":1}}",
        "{" + s + ",\"message\":\"" + "m".repeat(10_001) + "\"}",
        "{\"session_id\":\"snap-s\",\"client_id\":false,\"message\":\"m\"}",
        "{" + s + ",\"message\":\"m\",\"options\":\"Deploy\"}",
        "{" + s + ",\"message\":\"m\",\"options\":[\"a\",\"\"]}",
        "{" + s + ",\"message\":\"m\",\"options\":[1]}",
        "{" + s + ",\"message\":\"m\",\"options\":[\"" + "o".repeat(1001) + "\"]}",
        "{" + s + ",\"message\":\"m\",\"options\":" + fiftyOne() + "}",
        "{" + s + ",\"message\":\"m\",\"request_type\":\"weird\"}",
        "{" + s + ",\"message\":\"m\",\"request_type\":\"choice\"}",
        "{" + s + ",\"message\":\"m\",\"request_type\":5}",
        "{" + s + ",\"message\":\"m\",\"timeout_seconds\":-1}",
        "{" + s + ",\"message\":\"m\",\"timeout_seconds\":\"60\"}",
        "{" + s + ",\"message\":\"m\",\"timeout_seconds\":1.5}",
        "{" + s + ",\"message\":\"m\",\"timeout_seconds\":999999999999}",
        "{" + s + ",\"message\":\"m\",\"callback_url\":5}",
        "{" + s + ",\"message\":\"m\",\"callback_url\":\"" + "u".repeat(2049) + "\"}",
        "{" + s + ",\"message\":\"m\",\"metadata\":\"x\"}",
        "{" + s + ",\"message\":\"m\",\"metadata\":[1]}",
        "[]")) {
      post("/hitl/request", key, bad);
    }

    get("/hitl/pending", key);
    get("/hitl/poll?request_id=" + plain, key);
    get("/hitl/poll?request_id=" + choice + "&wait=0", key);
    get("/hitl/poll", key);
    get("/hitl/poll?request_id=%20", key);
    get("/hitl/poll?request_id=" + plain + "&wait=x", key);
    get("/hitl/poll?request_id=" + plain + "&wait=-1", key);
    get("/hitl/poll?request_id=00000000-0000-0000-0000-000000000000", key);
    get("/hitl/poll?request_id=not-an-id", key);

    post("/hitl/respond", key, "{\"request_id\":\"" + choice + "\",\"response\":\"Deploy\"}");
    post("/hitl/respond", key, "{\"request_id\":\"" + choice + "\",\"response\":\"Hold\"}");
    get("/hitl/poll?request_id=" + choice, key);
    post("/hitl/respond", key, "{\"request_id\":\"" + plain + "\",\"response\":\"no\"}");
    get("/hitl/poll?request_id=" + plain, key);
    post("/hitl/respond", key, "{\"request_id\":\"" + text(loopin, "interruptId")
        + "\",\"response\":\"fine\",\"approved\":false}");
    post("/hitl/respond", key, "{\"response\":\"x\"}");
    post("/hitl/respond", key, "{\"request_id\":5,\"response\":\"x\"}");
    post("/hitl/respond", key, "{\"request_id\":\"00000000-0000-0000-0000-000000000000\",\"response\":5}");
    post("/hitl/respond", key, "{\"request_id\":\"" + confirm + "\"}");
    post("/hitl/respond", key, "{\"request_id\":\"" + confirm + "\",\"response\":7}");
    post("/hitl/respond", key, "{\"request_id\":\"" + confirm + "\",\"response\":\"" + "r".repeat(10_001) + "\"}");
    post("/hitl/respond", key, "{\"request_id\":\"" + confirm + "\",\"response\":\"ok\",\"approved\":\"yes\"}");

    post("/hitl/cancel", key, "{\"request_id\":\"" + confirm + "\"}");
    post("/hitl/cancel", key, "{\"request_id\":\"" + confirm + "\"}");
    get("/hitl/poll?request_id=" + confirm, key);
    post("/hitl/cancel", key, "{}");
    post("/hitl/cancel", key, "{\"request_id\":[1]}");
    post("/hitl/cancel", key, "{\"request_id\":\"00000000-0000-0000-0000-000000000000\"}");
    get("/hitl/pending", key);
    post("/hitl/cancel", key, "{\"request_id\":\"" + text(agentgate, "id") + "\"}");
    get("/hitl/pending", key);

    assertThat(TestApp.eventually(Duration.ofSeconds(20),
        () -> !receiver.to("/snap").isEmpty())).as("the choice's callback").isTrue();
    transcript.append("CALLBACK /snap\n").append(receiver.to("/snap").get(0).body()).append("\n\n");
  }

  private void apiKeys() throws InterruptedException {
    section("api keys");
    Identities.User user = loggedIn();
    String t = user.token();
    Resp made = bearer("POST", "/api/user/apikeys", t, "");
    pause();
    bearer("POST", "/api/user/apikeys", t, "{\"label\":\"prod\",\"expires_at\":\"2099-12-31t23:59:59z\","
        + "\"scopes\":[\"request:read\"],\"rate_limit\":30.0}");
    pause();
    bearer("POST", "/api/user/apikeys", t, "{\"label\":null,\"expires_at\":\"\",\"scopes\":null,"
        + "\"rate_limit\":0}");
    bearer("GET", "/api/user/apikeys", t, null);
    for (String bad : List.of(
        "{\"label\":5}",
        "{\"label\":\"" + "l".repeat(201) + "\"}",
        "{\"expires_at\":\"tomorrow\"}",
        "{\"expires_at\":\"2001-01-01T00:00:00Z\"}",
        "{\"expires_at\":1}",
        "{\"scopes\":[]}",
        "{\"scopes\":\"admin\"}",
        "{\"scopes\":[\"nope\"]}",
        "{\"scopes\":[\"" + "n".repeat(60) + "\"]}",
        "{\"scopes\":[7]}",
        "{\"rate_limit\":1000001}",
        "{\"rate_limit\":\"5\"}",
        "{\"rate_limit\":2.5}",
        "[]",
        "{oops")) {
      bearer("POST", "/api/user/apikeys", t, bad);
    }
    bearer("DELETE", "/api/user/apikeys/" + text(made, "id"), t, null);
    bearer("DELETE", "/api/user/apikeys/not-a-uuid", t, null);
    bearer("DELETE", "/api/user/apikeys/00000000-0000-0000-0000-000000000000", t, null);
    bearer("GET", "/api/user/apikeys", t, null);
    bearer("GET", "/api/user/apikeys", ADMIN_KEY, null);
    bearer("GET", "/api/user/apikeys", null, null);
  }

  private void mcp(String key) {
    section("mcp");
    McpSyncClient client = McpClients.connect(app, key);
    try {
      String id = tool(client, "request_human_input", Map.of("session_id", "snap-mcp",
          "client_id", "mcp-c", "message", "Ship it?", "options", List.of("yes", "no"),
          "timeout_seconds", 120));
      tool(client, "request_human_input", Map.of("session_id", "snap-n", "client_id", "c",
          "message", "m"));
      tool(client, "request_human_input", Map.of("session_id", "snap-mcp", "client_id", "c",
          "message", "m", "timeout_seconds", "soon"));
      tool(client, "request_human_input", Map.of("session_id", "snap-mcp", "message", "m"));
      tool(client, "check_request_status", Map.of("request_id", " " + id + " "));
      tool(client, "check_request_status", Map.of("request_id", 5));
      tool(client, "check_request_status", Map.of());
      tool(client, "list_pending_requests", Map.of());
      tool(client, "cancel_request", Map.of("request_id", id));
      tool(client, "cancel_request", Map.of("request_id", id));
      tool(client, "cancel_request", Map.of("request_id", ""));
      tool(client, "check_request_status", Map.of("request_id", id));
    } finally {
      client.closeGracefully();
    }
  }

  private String tool(McpSyncClient client, String name, Map<String, Object> args) {
    CallToolResult result = McpClients.call(client, name, args);
    String text = McpClients.text(result);
    transcript.append("TOOL ").append(name).append(' ').append(new java.util.TreeSet<>(args.keySet())).append('\n')
        .append(Boolean.TRUE.equals(result.isError()) ? "error " : "ok ").append(text)
        .append("\n\n");
    Matcher m = Pattern.compile("\"request_id\":\"([^\"]+)\"").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private Identities.User loggedIn() {
    Resp login = app.post("/api/auth/login", null,
        Map.of("username", username, "password", Identities.PASSWORD));
    return new Identities.User(username, login.text("user_id"), login.text("token"));
  }

  private Resp post(String path, String key, Object body) {
    return record("POST", path, body, app.post(path, key, body));
  }

  private Resp get(String path, String key) {
    return record("GET", path, null, app.get(path, key));
  }

  private Resp bearer(String method, String path, String token, String body) {
    HttpRequest.Builder b = app.builder(path, null);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    Resp r = app.send(b.header("Content-Type", "application/json").method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    return record(method, path, body, r);
  }

  private Resp record(String method, String path, Object body, Resp r) {
    String shown = body == null ? "" : " " + abbreviate(body instanceof String s ? s
        : json(body instanceof Map<?, ?> m ? new java.util.TreeMap<>(m) : body));
    transcript.append(method).append(' ').append(abbreviate(path)).append(shown).append('\n')
        .append(r.status()).append(' ').append(r.raw().body()).append("\n\n");
    return r;
  }

  private void section(String name) {
    transcript.append("## ").append(name).append("\n\n");
  }

  private static String created(Resp r) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.text("request_id");
  }

  private static String text(Resp r, String field) {
    return r.body().path(field).asText();
  }

  private static String fiftyOne() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 51; i++) {
      b.append(i == 0 ? "" : ",").append("\"o").append(i).append('"');
    }
    return b.append(']').toString();
  }

  /** Requests made a moment apart sort the same way every run (newest first). */
  private static void pause() throws InterruptedException {
    Thread.sleep(20);
  }

  private static String json(Object body) {
    try {
      return TestApp.JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Long inputs shortened, so the transcript stays readable. */
  private static String abbreviate(String s) {
    return s.replaceAll("([a-z])\\1{20,}", "$1…");
  }

  private String normalize(String text) {
    String out = text.replace(username, "<username>");
    out = out.replaceAll("eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+", "<jwt>");
    out = out.replaceAll("lk_pub_[0-9a-f]{64}", "<raw_key>");
    out = out.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>");
    out = out.replaceAll("\\?token=[^\"]+", "?token=<token>");
    out = out.replaceAll("127\\.0\\.0\\.1:\\d+|localhost:\\d+", "<host>");
    Map<String, String> seen = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .matcher(out);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String id = m.group();
      String name = id.equals("00000000-0000-0000-0000-000000000000") ? id
          : seen.computeIfAbsent(id, k -> "<id" + (seen.size() + 1) + ">");
      m.appendReplacement(b, Matcher.quoteReplacement(name));
    }
    m.appendTail(b);
    return b.toString();
  }
}
