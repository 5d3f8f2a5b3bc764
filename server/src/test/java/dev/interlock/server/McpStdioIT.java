package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar interlock.jar mcp-stdio} as a desktop client starts it: a separate
 * process of the shipped jar, talking JSON-RPC lines on its stdin and stdout to a running
 * server. Every line on stdout must be a JSON-RPC message (logs go to stderr).
 */
class McpStdioIT {

  @TempDir Path data;

  @Test
  void givenTheShippedJar_whenStartedAsAnMcpStdioServer_thenItForwardsToTheServer()
      throws Exception {
    try (TestApp app = new TestApp(data).start()) {
      String jar = System.getProperty("interlock.jar", "target/interlock.jar");
      ProcessBuilder pb = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
          "mcp-stdio");
      pb.environment().put("INTERLOCK_URL", app.base());
      pb.environment().put("INTERLOCK_API_KEY", ADMIN_KEY);
      Path stderr = data.resolve("stderr.log");
      pb.redirectError(stderr.toFile());
      Process process = pb.start();
      try {
        OutputStream in = process.getOutputStream();
        BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"desktop\",\"version\":\"1\"}}}");
        assertThat(read(out).path("result").path("serverInfo").path("name").asText())
            .isEqualTo("interlock");
        send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
            + "\"name\":\"create_interrupt\",\"arguments\":{\"agentId\":\"desk\","
            + "\"userId\":\"u\",\"action\":\"from_stdio\",\"context\":{}}}}");
        JsonNode created = read(out);
        assertThat(created.path("result").path("isError").asBoolean()).isFalse();
        String id = TestApp.JSON.readTree(created.path("result").path("content").get(0)
            .path("text").asText()).path("interruptId").asText();
        assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("action")).isEqualTo("from_stdio");

        in.close(); // the desktop client quits: the bridge ends
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.readLine()).as("nothing but protocol on stdout").isNull();
        assertThat(Files.readString(stderr)).contains("forwarding");
      } finally {
        process.destroyForcibly();
      }
    }
  }

  private static void send(OutputStream in, String line) throws Exception {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static JsonNode read(BufferedReader out) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(60, TimeUnit.SECONDS);
    assertThat(line).isNotNull();
    JsonNode message = TestApp.JSON.readTree(line);
    assertThat(message.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
    return message;
  }
}
