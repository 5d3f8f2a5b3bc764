package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every held request ends, and ends once: a client that hangs up mid-wait takes its waiter
 * with it at once (LoopIn and Loopgate long-polls, the blocking MCP tool), a failure while
 * answering is a prompt 500 rather than a request left open, and a store that does not
 * answer in time still gets the client an answer.
 */
class LongPollEndingTest {

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** Waits for a decision held by this server, as /health reports them. */
  private static int waiters() {
    return app.get("/health", null).body().path("details").path("waiters").asInt(-1);
  }

  private static String create(String userId) {
    Resp r = app.post("/interrupts", ADMIN_KEY, interrupt(userId, "Deploy"));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  private static String loopgateRequest(String session) {
    assertThat(app.post("/hitl/register", ADMIN_KEY,
        Map.of("session_id", session, "client_id", "bot")).status()).isEqualTo(200);
    Resp r = app.post("/hitl/request", ADMIN_KEY,
        Map.of("session_id", session, "client_id", "bot", "message", "Ship it?"));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    return r.text("request_id");
  }

  /** Sends a request on a raw connection that the test closes when it likes. */
  private static Socket open(String method, String path, Map<String, String> headers,
      String body) throws IOException {
    URI base = URI.create(app.base());
    Socket socket = new Socket(base.getHost(), base.getPort());
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n"
        + "Host: localhost\r\nX-API-Key: " + ADMIN_KEY + "\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return socket;
  }

  /** Other tests' waits are over (at once when every wait ends with its request). */
  private static void noWaiters() {
    assertThat(TestApp.eventually(Duration.ofSeconds(35), () -> waiters() == 0))
        .as("no waits left over from other tests").isTrue();
  }

  private static void hangUpMidWait(Socket socket) throws Exception {
    try (socket) {
      assertThat(TestApp.eventually(Duration.ofSeconds(5), () -> waiters() == 1))
          .as("the wait is registered").isTrue();
      Thread.sleep(1_000);
    }
    long closed = System.nanoTime();
    assertThat(TestApp.eventually(Duration.ofSeconds(2), () -> waiters() == 0))
        .as("the waiter of a client that hung up is gone within 2 s, not when its 30 s end")
        .isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void givenLoopinLongPoll_whenTheClientHangsUp_thenItsWaiterIsGoneAtOnce() throws Exception {
    String id = create("hang-up-loopin");
    noWaiters();

    hangUpMidWait(open("GET", "/interrupts/" + id + "?wait=30", Map.of(), null));

    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status"))
        .as("hanging up never changes the interrupt").isEqualTo("pending");
  }

  @Test
  void givenLoopgatePoll_whenTheClientHangsUp_thenItsWaiterIsGoneAtOnce() throws Exception {
    String id = loopgateRequest("hang-up-loopgate");
    noWaiters();

    hangUpMidWait(open("GET", "/hitl/poll?request_id=" + id + "&wait=30", Map.of(), null));

    assertThat(app.get("/hitl/poll?request_id=" + id, ADMIN_KEY).text("status"))
        .isEqualTo("pending");
  }

  /**
   * A client that only shuts down its sending side looks like one that hung up; it still
   * reads the interrupt as it now is (early, as a long-poll may answer), not nothing.
   */
  @Test
  void givenAClientThatHalfCloses_whenLongPolling_thenItStillReadsTheAnswer() throws Exception {
    String id = create("half-close");
    long started = System.nanoTime();
    try (Socket socket = open("GET", "/interrupts/" + id + "?wait=30", Map.of(), null)) {
      socket.setSoTimeout(10_000);
      socket.shutdownOutput();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 200").contains("\"status\":\"pending\"")
          .contains(id);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void givenBlockingMcpTool_whenTheClientHangsUp_thenItsWaiterIsGoneAtOnce() throws Exception {
    Map<String, String> mcp = Map.of("Content-Type", "application/json",
        "Accept", "application/json, text/event-stream");
    var init = app.raw(mcpPost(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"hang-up","version":"1"}}}"""));
    assertThat(init.statusCode()).isEqualTo(200);
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    app.raw(mcpPost(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
    noWaiters();

    // No progress token: the server never writes while it waits, so only watching the
    // connection can tell that the client went.
    Map<String, String> headers = new java.util.HashMap<>(mcp);
    headers.put("Mcp-Session-Id", session);
    hangUpMidWait(open("POST", "/mcp", headers, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"ask_human",
         "arguments":{"question":"Hang-up-%d"}}}""".formatted(System.nanoTime())));
  }

  @Test
  void givenAnInterruptItsViewCannotRender_whenLongPolled_thenA500WithALogIdPromptly() {
    String id = create("unrenderable-loopin");
    // Data the view does not know (an urgency written by a newer version, say).
    app.jdbi().useHandle(h -> h.execute("update interrupts set urgency = 'galactic' where id = ?::uuid", id));

    long started = System.nanoTime();
    Resp r = app.send(app.builder("/interrupts/" + id + "?wait=2", ADMIN_KEY)
        .timeout(Duration.ofSeconds(20)).GET());

    assertThat(r.status()).isEqualTo(500);
    assertThat(r.text("error")).matches("Internal server error \\(log id [0-9a-f-]{36}\\)");
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("answered when the wait ended, not when the connection timed out")
        .isLessThan(Duration.ofSeconds(8));
    assertThat(TestApp.eventually(Duration.ofSeconds(2), () -> waiters() == 0)).isTrue();
  }

  @Test
  void givenARequestItsViewCannotRender_whenPolled_thenA500WithALogIdPromptly() {
    String id = loopgateRequest("unrenderable-loopgate");
    // A status this version does not know: the constraint that forbids it is dropped
    // in this test's own database only.
    app.jdbi().useHandle(h -> {
      h.execute("alter table interrupts drop constraint if exists interrupts_status_check");
      h.execute("update interrupts set status = 'on_hold' where id = ?::uuid", id);
    });

    long started = System.nanoTime();
    Resp r = app.send(app.builder("/hitl/poll?request_id=" + id + "&wait=2", ADMIN_KEY)
        .timeout(Duration.ofSeconds(20)).GET());

    assertThat(r.status()).isEqualTo(500);
    assertThat(r.text("error")).matches("Internal server error \\(log id [0-9a-f-]{36}\\)");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
  }

  /**
   * The store stops answering (the table is locked) while a long-poll waits: the client
   * still gets an answer a bounded time after its wait, a 503 in the dialect's shape.
   */
  @Test
  void givenAStoreThatDoesNotAnswer_whenTheWaitEnds_thenStillAnsweredInBoundedTime()
      throws Exception {
    String id = create("locked-store");
    noWaiters();
    CompletableFuture<Resp> polled = CompletableFuture.supplyAsync(() -> app.send(
        app.builder("/interrupts/" + id + "?wait=1", ADMIN_KEY)
            .timeout(Duration.ofSeconds(40)).GET()));
    assertThat(TestApp.eventually(Duration.ofSeconds(5), () -> waiters() == 1)).isTrue();
    long started = System.nanoTime();
    Duration held;
    try (var handle = app.jdbi().open()) {
      handle.begin();
      handle.execute("lock table interrupts in access exclusive mode");
      // Held well past the wait and both of the server's grace periods.
      Resp r = polled.get(20, java.util.concurrent.TimeUnit.SECONDS);
      held = Duration.ofNanos(System.nanoTime() - started);
      handle.rollback();
      assertThat(r.status()).as(r.raw().body()).isEqualTo(503);
      assertThat(r.text("error")).isNotBlank();
    }
    assertThat(held).as("wait (1 s) + twice the grace, not the lock's release")
        .isLessThan(Duration.ofSeconds(15));
    assertThat(TestApp.eventually(Duration.ofSeconds(5), () -> waiters() == 0)).isTrue();
  }

  private static java.net.http.HttpRequest.Builder mcpPost(String session, String body) {
    var b = app.builder("/mcp", ADMIN_KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return b;
  }
}
