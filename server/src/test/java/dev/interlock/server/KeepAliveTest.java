package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive connections survive early refusals. A refusal sent before the request body was
 * read (401 bad key, 403 missing scope, 429 rate limit, 401 on /mcp) says
 * {@code Connection: close}, so a client never sends its next request on a connection the
 * server is closing; a request whose body was read keeps its connection. Raw sockets send the
 * headers first and the body 200 ms later, as a slow or large upload does.
 */
class KeepAliveTest {

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

  private static final String CREATE = "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"keepalive\"}";

  @Test
  void aBadKeyRefusedBeforeTheBodyArrivesClosesTheConnectionAndSaysSo() throws Exception {
    try (Socket socket = connect()) {
      Response refused = exchange(socket, "POST", "/interrupts", "wrong-key", CREATE, 200);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
      assertThat(socket.getInputStream().read()).as("the server closed its side").isEqualTo(-1);
    }
  }

  @Test
  void aMissingScopeRefusedBeforeTheBodyArrivesSaysClose() throws Exception {
    String readOnly = app.keyFor("keepalive-scope", Set.of("request:read"));
    try (Socket socket = connect()) {
      Response refused = exchange(socket, "POST", "/interrupts", readOnly, CREATE, 200);
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
    }
  }

  @Test
  void aRateLimitRefusalSaysCloseWhileAnAllowedRequestKeepsTheConnection() throws Exception {
    String limited = app.post("/api/keys", ADMIN_KEY, Map.of("name", "keepalive-limited",
        "scopes", List.of("request:create", "request:read"), "rateLimit", 1)).text("key");
    try (Socket socket = connect()) {
      Response allowed = exchange(socket, "POST", "/interrupts", limited, CREATE, 0);
      assertThat(allowed.status()).isEqualTo(201);
      assertThat(allowed.header("connection")).isNull();
      Response refused = exchange(socket, "POST", "/interrupts", limited, CREATE, 200);
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
    }
  }

  @Test
  void mcpRefusesABadKeyWithClose() throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    try (Socket socket = connect()) {
      Response refused = exchange(socket, "POST", "/mcp", "wrong-key", body, 200);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
      assertThat(refused.header("x-request-id")).isNotBlank();
    }
  }

  @Test
  void aRequestWhoseBodyWasReadKeepsTheConnectionForTheNext() throws Exception {
    try (Socket socket = connect()) {
      for (int i = 0; i < 3; i++) {
        Response created = exchange(socket, "POST", "/interrupts", ADMIN_KEY, CREATE, 0);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("connection")).isNull();
      }
      Response invalid = exchange(socket, "POST", "/interrupts", ADMIN_KEY, "{\"agentId\":1}", 0);
      assertThat(invalid.status()).isEqualTo(400);
      Response after = exchange(socket, "GET", "/health", null, null, 0);
      assertThat(after.status()).isEqualTo(200);
    }
  }

  @Test
  void theRequestIdIsEchoedOrMadeUp() throws Exception {
    try (Socket socket = connect()) {
      Response echoed = exchange(socket, "GET", "/health", null, null, 0, "abc-123");
      assertThat(echoed.header("x-request-id")).isEqualTo("abc-123");
      Response refused = exchange(socket, "GET", "/interrupts/pending/u", "wrong-key", null, 0, "r-401");
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("x-request-id")).isEqualTo("r-401");
    }
    try (Socket socket = connect()) {
      Response madeUp = exchange(socket, "GET", "/health", null, null, 0, "has spaces\tand tabs");
      assertThat(UUID.fromString(madeUp.header("x-request-id"))).isNotNull();
    }
  }

  /**
   * The JDK client with its connection pool, no retries: large bodies refused for a bad key
   * interleaved with good requests on four threads; every request gets its own response.
   */
  @Test
  void aPooledClientSeesEveryRequestAnsweredAcrossRefusalsOfLargeBodies() throws Exception {
    String big = "{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"big\",\"context\":{\"pad\":\""
        + "x".repeat(256 * 1024) + "\"}}";
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          int[] statuses = new int[3];
          for (int i = 0; i < 40; i++) {
            HttpResponse<String> refused = app.raw(app.builder("/interrupts", "wrong-" + i)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)));
            statuses[0] += refused.statusCode() == 401 ? 1 : 0;
            HttpResponse<String> health = app.raw(app.builder("/health", null).GET());
            statuses[1] += health.statusCode() == 200 ? 1 : 0;
            HttpResponse<String> list = app.raw(app.builder("/interrupts/pending/u", ADMIN_KEY).GET());
            statuses[2] += list.statusCode() == 200 ? 1 : 0;
          }
          return statuses;
        }));
      }
      for (Future<int[]> result : results) {
        assertThat(result.get()).containsExactly(40, 40, 40);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Socket connect() throws IOException {
    URI base = URI.create(app.base());
    Socket socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private static Response exchange(Socket socket, String method, String path, String key,
      String body, long bodyDelayMillis) throws Exception {
    return exchange(socket, method, path, key, body, bodyDelayMillis, "k-" + UUID.randomUUID());
  }

  /** Sends one request (the body after a pause) and reads exactly one response. */
  private static Response exchange(Socket socket, String method, String path, String key,
      String body, long bodyDelayMillis, String requestId) throws Exception {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: localhost\r\n")
        .append("Accept: application/json, text/event-stream\r\n")
        .append("X-Request-Id: ").append(requestId).append("\r\n");
    if (key != null) {
      head.append("X-API-Key: ").append(key).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Type: application/json\r\n")
          .append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    if (bytes.length > 0) {
      Thread.sleep(bodyDelayMillis);
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException closedAlready) {
        // The server may have answered and closed before the body went out; read its answer.
      }
    }
    return read(socket.getInputStream());
  }

  private static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("the server sent no bytes (connection closed)");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
          size = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
      line(in);
    } else if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      line.append((char) c);
    }
    return line.length() == 0 ? null : line.toString();
  }
}
