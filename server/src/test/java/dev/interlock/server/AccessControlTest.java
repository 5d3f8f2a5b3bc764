package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scopes, rate limits and tenancy, over HTTP, for keys users create. */
class AccessControlTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;
  static User owner;
  static String interruptId;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
    owner = ids.newUser("scoped");
    interruptId = ids.bearer("POST", "/interrupts", owner.token(),
        TestApp.interrupt("user-s", "Scoped action")).text("interruptId");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static String keyWith(String... scopes) {
    return ids.rawKey(owner, Map.of("scopes", List.of(scopes)));
  }

  /** One LoopIn route, called with a key, and the scope it needs. */
  record Route(String name, String scope, Function<String, Resp> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> routes() {
    return Stream.of(
        new Route("create", "request:create",
            k -> app.post("/interrupts", k, TestApp.interrupt("user-s", "Another"))),
        new Route("get", "request:read", k -> app.get("/interrupts/" + interruptId, k)),
        new Route("poll", "request:read", k -> app.get("/interrupts/" + interruptId + "?wait=1", k)),
        new Route("pending", "request:read", k -> app.get("/interrupts/pending/user-s", k)),
        new Route("events", "request:read", k -> app.get("/interrupts/" + interruptId + "/events", k)),
        new Route("analytics", "request:read", k -> app.get("/analytics/user-s", k)),
        new Route("decide", "request:decide", k -> app.post("/interrupts/" + interruptId + "/decide", k,
            Map.of("decision", "approved"))),
        new Route("cancel", "request:decide", k -> app.delete("/interrupts/" + interruptId, k)))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void givenKeyWithoutTheRoutesScope_thenForbiddenNamingTheScopeAndNothingChanges(Route route) {
    List<String> others = Stream.of("request:create", "request:read", "request:decide", "webhook:manage")
        .filter(s -> !s.equals(route.scope())).toList();
    String lacking = keyWith(others.toArray(String[]::new));
    long before = interruptCount();

    Resp r = route.call().apply(lacking);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().fieldNames()).toIterable().containsExactly("error");
    assertThat(r.text("error")).isEqualTo("This key lacks the scope " + route.scope());
    assertThat(interruptCount()).isEqualTo(before);
    assertThat(app.get("/interrupts/" + interruptId, keyWith("request:read")).text("status"))
        .isEqualTo("pending");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void givenKeyWithOnlyTheRoutesScope_thenAllowed(Route route) {
    if (route.scope().equals("request:decide")) {
      // Deciding or cancelling the shared interrupt would settle it for the other tests.
      String own = ids.bearer("POST", "/interrupts", owner.token(),
          TestApp.interrupt("user-s", "Own " + route.name())).text("interruptId");
      String key = keyWith("request:decide");
      Resp r = route.name().equals("decide")
          ? app.post("/interrupts/" + own + "/decide", key, Map.of("decision", "rejected"))
          : app.delete("/interrupts/" + own, key);
      assertThat(r.status()).isEqualTo(200);
      return;
    }
    Resp r = route.call().apply(keyWith(route.scope()));
    assertThat(r.status()).as(r.raw().body()).isIn(200, 201);
  }

  @Test
  void givenAdminScopedKey_thenEveryRouteAllowed() {
    String admin = keyWith("admin");
    assertThat(app.post("/interrupts", admin, TestApp.interrupt("user-s", "By admin scope")).status())
        .isEqualTo(201);
    assertThat(app.get("/interrupts/" + interruptId, admin).status()).isEqualTo(200);
  }

  @Test
  void givenRateLimitedKey_whenUsedBeyondItsLimit_thenHeadersCountDownAnd429WithRetryAfter() {
    String key = ids.rawKey(owner, Map.of("rate_limit", 3));

    List<Resp> allowed = List.of(app.get("/interrupts/pending/user-s", key),
        app.get("/interrupts/pending/user-s", key), app.get("/interrupts/pending/user-s", key));
    Resp refused = app.get("/interrupts/pending/user-s", key);

    for (int i = 0; i < 3; i++) {
      HttpHeaders h = allowed.get(i).raw().headers();
      assertThat(allowed.get(i).status()).isEqualTo(200);
      assertThat(h.firstValue("X-RateLimit-Limit")).hasValue("3");
      assertThat(h.firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(2 - i));
      assertThat(Long.parseLong(h.firstValue("X-RateLimit-Reset").orElseThrow())).isBetween(1L, 60L);
      assertThat(h.firstValue("Retry-After")).isEmpty();
    }
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.body().fieldNames()).toIterable().containsExactly("error");
    assertThat(refused.text("error")).isEqualTo("Rate limit exceeded");
    HttpHeaders h = refused.raw().headers();
    assertThat(h.firstValue("X-RateLimit-Limit")).hasValue("3");
    assertThat(h.firstValue("X-RateLimit-Remaining")).hasValue("0");
    long retryAfter = Long.parseLong(h.firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(h.firstValue("X-RateLimit-Reset")).hasValue(Long.toString(retryAfter));
    Resp otherKey = app.get("/interrupts/pending/user-s", keyWith("request:read"));
    assertThat(otherKey.status()).as("limits are per key").isEqualTo(200);
  }

  @Test
  void givenRateLimitedKey_whenRefusedForScope_thenStillCountedAndHeadersPresent() {
    String key = ids.rawKey(owner, Map.of("rate_limit", 5, "scopes", List.of("request:read")));
    Resp forbidden = app.post("/interrupts/" + interruptId + "/decide", key, Map.of("decision", "approved"));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.raw().headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
  }

  @Test
  void givenUnlimitedKeyOrUser_thenNoRateLimitHeaders() {
    for (Object limit : List.of(0, -1)) {
      String key = ids.rawKey(owner, Map.of("rate_limit", limit));
      Resp r = app.get("/interrupts/pending/user-s", key);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("X-RateLimit-Limit")).as("rate_limit " + limit).isEmpty();
    }
    Resp none = app.get("/interrupts/pending/user-s", keyWith("request:read"));
    assertThat(none.raw().headers().firstValue("X-RateLimit-Limit")).isEmpty();
    Resp user = ids.bearer("GET", "/interrupts/pending/user-s", owner.token(), null);
    assertThat(user.raw().headers().firstValue("X-RateLimit-Limit")).isEmpty();
  }

  @Test
  void givenAnotherUsersInterrupt_whenReadDecidedOrCancelled_thenNotFoundWithTokenAndKey() {
    User other = ids.newUser("intruder");
    String otherKey = ids.rawKey(other, Map.of());
    String own = ids.bearer("POST", "/interrupts", owner.token(),
        TestApp.interrupt("user-t", "Tenant-only")).text("interruptId");

    for (String credential : List.of(other.token(), otherKey)) {
      assertThat(ids.bearer("GET", "/interrupts/" + own, credential, null).status()).isEqualTo(404);
      assertThat(ids.bearer("GET", "/interrupts/" + own + "/events", credential, null).status())
          .isEqualTo(404);
      assertThat(ids.bearer("POST", "/interrupts/" + own + "/decide", credential,
          Map.of("decision", "approved")).status()).isEqualTo(404);
      assertThat(ids.bearer("DELETE", "/interrupts/" + own, credential, null).status()).isEqualTo(404);
      assertThat(ids.bearer("GET", "/interrupts/pending/user-t", credential, null).body()).isEmpty();
    }
    Resp mine = ids.bearer("GET", "/interrupts/" + own, owner.token(), null);
    assertThat(mine.status()).isEqualTo(200);
    assertThat(mine.text("status")).isEqualTo("pending");
  }

  private static long interruptCount() {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from interrupts")
        .mapTo(Long.class).one());
  }
}
