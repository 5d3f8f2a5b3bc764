package dev.interlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The LoopIn dialect over keep-alive HTTP/1.1: enough to drive Interlock or any peer that
 * speaks it (a peer without auth simply ignores the key header).
 */
final class Client {

  static final ObjectMapper JSON = new ObjectMapper();

  record Response(int status, JsonNode body) {}

  private final HttpClient http;
  private final String base;
  private final String key;

  Client(String base, String key, int threads) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.key = key;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newFixedThreadPool(Math.max(2, threads)))
        .build();
  }

  Response post(String path, Object body) throws IOException, InterruptedException {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  Response get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  /** A GET that does not hold a thread while it waits (for many long-polls at once). */
  java.util.concurrent.CompletableFuture<Response> getAsync(String path) {
    return http.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> {
          try {
            JsonNode body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
            return new Response(r.statusCode(), body);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
    if (key != null) {
      b.header("X-API-Key", key);
    }
    return b;
  }

  private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
    return new Response(r.statusCode(), body);
  }

  Response createInterrupt(String agent, String user, long expiresIn, String callbackUrl)
      throws IOException, InterruptedException {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("agentId", agent);
    body.put("userId", user);
    body.put("action", "Transfer $4,200 to vendor account ending in 9821");
    body.put("context", Map.of("vendor", "Acme Supplies", "amount", 4200, "currency", "USD"));
    body.put("urgency", "high");
    body.put("expiresIn", expiresIn);
    if (callbackUrl != null) {
      body.put("callbackUrl", callbackUrl);
    }
    return post("/interrupts", body);
  }
}
