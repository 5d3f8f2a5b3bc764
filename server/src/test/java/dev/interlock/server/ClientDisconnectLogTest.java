package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.errors.ErrorMappers;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A client that hangs up halfway through sending its body is a normal event: it is logged
 * at DEBUG, never as an ERROR (nor as a WARN about a bad request it never finished).
 */
class ClientDisconnectLogTest {

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

  /** Headers promising 1,000 bytes, 17 of them, and the connection closes. */
  private static void hangUpMidBody(String path, String contentType) throws Exception {
    URI base = URI.create(app.base());
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + ADMIN_KEY
          + "\r\nContent-Type: " + contentType + "\r\nContent-Length: 1000\r\n\r\n"
          + "{\"agentId\": \"a\", ").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(300); // the server is reading the body by now
    }
  }

  @Test
  void givenAClientThatHangsUpMidBody_thenNoErrorNorWarningIsLogged() throws Exception {
    Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("hang-up-body", "Deploy"));
    String id = created.text("interruptId");
    List<String> paths = List.of("/review/" + id + "/decide", "/interrupts", "/hitl/request",
        "/mcp");

    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger mappers = (Logger) LoggerFactory.getLogger(ErrorMappers.class);
    Level level = mappers.getLevel();
    Logger mcp = (Logger) LoggerFactory.getLogger("dev.interlock.server.mcp.McpAuthFilter");
    Level mcpLevel = mcp.getLevel();
    mcp.setLevel(Level.DEBUG);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    // Appended on server threads while the test reads it.
    logs.list = new java.util.concurrent.CopyOnWriteArrayList<>();
    logs.start();
    root.addAppender(logs);
    mappers.setLevel(Level.DEBUG);
    try {
      hangUpMidBody(paths.get(0), "application/x-www-form-urlencoded");
      hangUpMidBody(paths.get(1), "application/json");
      hangUpMidBody(paths.get(2), "application/json");
      hangUpMidBody(paths.get(3), "application/json");
      assertThat(TestApp.eventually(Duration.ofSeconds(5), () -> paths.stream().allMatch(
          p -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(p)))))
          .as("each disconnect was heard: %s", logs.list).isTrue();
    } finally {
      root.detachAppender(logs);
      mappers.setLevel(level);
      mcp.setLevel(mcpLevel);
    }

    for (ILoggingEvent e : logs.list) {
      assertThat(e.getLevel().isGreaterOrEqual(Level.WARN))
          .as("logged at %s: %s", e.getLevel(), e.getFormattedMessage()).isFalse();
    }
    assertThat(logs.list).filteredOn(e -> e.getLoggerName().equals(ErrorMappers.class.getName()))
        .allMatch(e -> e.getLevel() == Level.DEBUG)
        .allMatch(e -> e.getFormattedMessage().contains("client went away"));
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");
  }
}
