package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code logging.appenders[].layout.type: json} (docs/configuration.md, JSON log lines)
 * every line is one JSON object, and lines about a request or an interrupt carry its
 * {@code requestId} or {@code interruptId} as fields.
 */
class JsonLogTest {

  @TempDir Path data;

  @Test
  void givenTheJsonLayout_whenAnInterruptIsDecidedAndCalledBack_thenLinesCarryItsIds()
      throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    try (CallbackReceiver receiver = new CallbackReceiver();
        TestApp app = new TestApp(data,
            ConfigOverride.config("logging.appenders[0].layout.type", "json"),
            // The settings of docs/configuration.md's example.
            ConfigOverride.config("logging.appenders[0].layout.flattenMdc", "true"),
            ConfigOverride.config("logging.appenders[0].layout.timestampFormat",
                "yyyy-MM-dd'T'HH:mm:ss.SSSX")).start()) {
      String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Log me",
          "callbackUrl", receiver.url("/json-log"))).text("interruptId");
      assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
          Map.of("decision", "approved")).status()).isEqualTo(200);
      // A second decision is refused (409), which is logged at WARN within the request.
      TestApp.Resp again = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
          Map.of("decision", "rejected"));
      assertThat(again.status()).isEqualTo(409);
      String requestId = again.raw().headers().firstValue("X-Request-Id").orElseThrow();

      assertThat(eventually(Duration.ofSeconds(15), () -> lines(captured).stream().anyMatch(l ->
          id.equals(l.path("interruptId").asText())
              && l.path("message").asText().startsWith("callback for interrupt"))))
          .as("a callback line with interruptId %s in:%n%s", id, captured).isTrue();
      assertThat(eventually(Duration.ofSeconds(5), () -> lines(captured).stream().anyMatch(l ->
          requestId.equals(l.path("requestId").asText())
              && "WARN".equals(l.path("level").asText()))))
          .as("a WARN line with requestId %s", requestId).isTrue();
      assertThat(lines(captured).get(lines(captured).size() - 1).path("timestamp").asText())
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    } finally {
      System.setOut(original);
    }
  }

  /** The captured lines that are JSON objects (every line the application logged). */
  private static List<JsonNode> lines(ByteArrayOutputStream captured) {
    List<JsonNode> out = new ArrayList<>();
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    for (String line : text.split("\n")) {
      if (line.startsWith("{")) {
        try {
          out.add(TestApp.JSON.readTree(line));
        } catch (IOException partial) {
          // the last line may still be being written
        }
      }
    }
    return out;
  }

  /** Writes to both streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final ByteArrayOutputStream b;

    Tee(OutputStream a, ByteArrayOutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      synchronized (b) {
        b.write(c);
      }
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      synchronized (b) {
        b.write(bytes, off, len);
      }
    }
  }
}
