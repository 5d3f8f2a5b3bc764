package dev.interlock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.store.StoreSupport;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The real application on the embedded stack (PostgreSQL from Maven binaries, in-process
 * Temporal), on random ports, with its data in a directory the test chooses so that a
 * second start on the same directory is a restart. Talks to it over real HTTP.
 */
public final class TestApp implements AutoCloseable {

  public static final String ADMIN_KEY = "test-admin-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  private final DropwizardTestSupport<InterlockConfiguration> support;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Jdbi jdbi;

  /** On the run's Temporal ({@link TestTemporal#overrides()}). */
  public TestApp(Path dataDir, ConfigOverride... extra) {
    this(dataDir, TestTemporal.overrides(), extra);
  }

  /**
   * With these Temporal settings instead of the test run's ({@link TestTemporal#overrides()}).
   * Passing them as {@code extra} to the other constructor would not do: Dropwizard keeps the
   * overrides in a set, so of two values for one key either may win.
   */
  public TestApp(Path dataDir, List<ConfigOverride> temporal, ConfigOverride... extra) {
    List<ConfigOverride> overrides = new ArrayList<>();
    overrides.add(ConfigOverride.config("dataDir", dataDir.toString()));
    overrides.addAll(temporal);
    overrides.addAll(List.of(extra));
    support = new DropwizardTestSupport<>(InterlockApplication.class,
        ResourceHelpers.resourceFilePath("test-config.yml"),
        overrides.toArray(ConfigOverride[]::new));
  }

  public TestApp start() {
    try {
      support.before();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  @Override
  public void close() {
    support.after();
  }

  public String base() {
    return "http://localhost:" + support.getLocalPort();
  }

  /** The running application's core service (as every dialect calls it). */
  public dev.interlock.server.service.InterruptService interrupts() {
    return ((InterlockApplication) support.getApplication()).interrupts();
  }

  /** The running application's Loop engine (its services, as the Loop dialect calls them). */
  public dev.interlock.server.service.engine.Engine engine() {
    return ((InterlockApplication) support.getApplication()).engine();
  }

  /** The running application's environment (its Jersey resources, servlets, ...). */
  public io.dropwizard.core.setup.Environment environment() {
    return support.getEnvironment();
  }

  public String adminBase() {
    return "http://localhost:" + support.getAdminPort();
  }

  /** Direct access to the store, for asserting on what was persisted and making keys. */
  public Jdbi jdbi() {
    if (jdbi == null) {
      var ds = new PGSimpleDataSource();
      ds.setUrl(support.getConfiguration().database.getUrl());
      ds.setUser(support.getConfiguration().database.getUser());
      jdbi = StoreSupport.configure(Jdbi.create(ds), new ObjectMapper());
    }
    return jdbi;
  }

  /** Creates a key for another owner (tenancy tests) and returns its plaintext. */
  public String keyFor(String ownerId) {
    return keyFor(ownerId, Set.of("request:create", "request:read", "request:decide"));
  }

  /** A key for an owner with exactly these scopes. */
  public String keyFor(String ownerId, Set<String> scopes) {
    String key = ApiKeys.generate("ilk_");
    new ApiKeys(jdbi(), Clock.systemUTC()).create(ownerId, "test key of " + ownerId, key, scopes);
    return key;
  }

  public record Resp(int status, JsonNode body, HttpResponse<String> raw) {
    public String text(String field) {
      return body.path(field).isNull() ? null : body.path(field).asText();
    }
  }

  public Resp get(String path, String key) {
    return send(builder(path, key).GET());
  }

  public Resp delete(String path, String key) {
    return send(builder(path, key).DELETE());
  }

  public Resp post(String path, String key, Object body) {
    String text;
    try {
      text = body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    return send(builder(path, key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(text)));
  }

  public Resp post(String path, String key, Object body, Map<String, String> headers) {
    HttpRequest.Builder b = builder(path, key).header("Content-Type", "application/json");
    headers.forEach(b::header);
    try {
      return send(b.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * A request on the shared keep-alive client, as a pooled SDK would send it, with its own
   * {@code X-Request-Id}; {@link #send} and {@link #raw} check that the response echoes it,
   * so no test can read a response meant for another request.
   */
  public HttpRequest.Builder builder(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
        .timeout(Duration.ofSeconds(90))
        .header("X-Request-Id", "t-" + UUID.randomUUID());
    if (key != null) {
      b.header("X-API-Key", key);
    }
    return b;
  }

  /** Sends without parsing the body (HTML pages, event streams). */
  public HttpResponse<String> raw(HttpRequest.Builder request) {
    try {
      return answering(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  /** The configuration the application runs with (after overrides). */
  public InterlockConfiguration configuration() {
    return support.getConfiguration();
  }

  public Resp send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = answering(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
      JsonNode body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
      return new Resp(r.statusCode(), body, r);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The response, after checking that it answers the request that was sent. */
  static <T> HttpResponse<T> answering(HttpResponse<T> response) {
    var sent = response.request().headers().firstValue("X-Request-Id");
    var echoed = response.headers().firstValue("X-Request-Id");
    if (sent.isPresent() && !sent.equals(echoed)) {
      throw new AssertionError("response to " + response.request().method() + " "
          + response.request().uri() + " carries X-Request-Id " + echoed.orElse("(none)")
          + ", the request sent " + sent.get());
    }
    return response;
  }

  /** A LoopIn create body with the required fields. */
  public static Map<String, Object> interrupt(String userId, String action, Object... more) {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("agentId", "agent-test");
    body.put("userId", userId);
    body.put("action", action);
    for (int i = 0; i + 1 < more.length; i += 2) {
      body.put((String) more[i], more[i + 1]);
    }
    return body;
  }

  /** Polls until the condition holds or the time is up; returns whether it held. */
  public static boolean eventually(Duration within, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
