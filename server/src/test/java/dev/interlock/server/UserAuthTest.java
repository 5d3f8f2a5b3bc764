package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.net.HttpCookie;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loopgate's users over HTTP: register, login, the login token and its cookie. */
class UserAuthTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static String storedSecret() {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'jwt_secret'").mapTo(String.class).one());
  }

  @Test
  void givenNewUsername_whenRegistered_thenCreatedWithSpecShapeAndUuid() {
    Resp r = ids.register(Identities.unique("ada"), Identities.PASSWORD);

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body().fieldNames()).toIterable().containsExactlyInAnyOrder("message", "user_id");
    assertThat(r.text("message")).isEqualTo("User registered successfully");
    assertThat(UUID.fromString(r.text("user_id")).toString()).isEqualTo(r.text("user_id"));
  }

  @Test
  void givenRegisteredUser_whenLoggedIn_thenTokenSignedForThatUserAndSessionCookie() {
    String username = Identities.unique("grace");
    String userId = ids.register(username, Identities.PASSWORD).text("user_id");

    Resp r = ids.login(username, Identities.PASSWORD);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("token", "user_id", "username");
    assertThat(r.text("user_id")).isEqualTo(userId);
    assertThat(r.text("username")).isEqualTo(username);
    var jwt = JWT.require(Algorithm.HMAC256(storedSecret())).withIssuer("loopgate").build()
        .verify(r.text("token"));
    assertThat(jwt.getAlgorithm()).isEqualTo("HS256");
    assertThat(jwt.getSubject()).isEqualTo(userId);
    assertThat(jwt.getClaim("user_id").asString()).isEqualTo(userId);
    assertThat(jwt.getClaim("username").asString()).isEqualTo(username);
    assertThat(jwt.getExpiresAtAsInstant())
        .isBetween(Instant.now().plusSeconds(24 * 3600 - 60), Instant.now().plusSeconds(24 * 3600 + 5));

    String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
    HttpCookie cookie = HttpCookie.parse(setCookie).get(0);
    assertThat(cookie.getName()).isEqualTo("loopat_session");
    assertThat(cookie.getValue()).isEqualTo(r.text("token"));
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getSecure()).as("base URL is http").isFalse();
    assertThat(cookie.getPath()).isEqualTo("/");
    assertThat(setCookie).containsIgnoringCase("SameSite=Lax");
  }

  @Test
  void givenSessionCookie_whenUsedWithoutHeaders_thenActsAsTheUser() {
    User user = ids.newUser("cookie");
    Resp listed = app.send(app.builder("/api/user/apikeys", null)
        .header("Cookie", "loopat_session=" + user.token()).GET());
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body().isArray()).isTrue();

    Resp stale = app.send(app.builder("/api/user/apikeys", null)
        .header("Cookie", "loopat_session=" + user.token() + "x").GET());
    assertThat(stale.status()).isEqualTo(401);
  }

  @Test
  void givenUsernameInOtherCase_whenRegistered_thenConflict() {
    String username = Identities.unique("Linus");
    assertThat(ids.register(username, Identities.PASSWORD).status()).isEqualTo(201);

    Resp again = ids.register(username, "another password");
    Resp upper = ids.register(username.toUpperCase(), "another password");

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("error")).isEqualTo("Username already exists");
    assertThat(upper.status()).isEqualTo(409);
    long rows = app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from users where lower(username) = lower(:u)").bind("u", username)
        .mapTo(Long.class).one());
    assertThat(rows).isEqualTo(1);
  }

  static Stream<Arguments> badRegistrations() {
    return Stream.of(
        Arguments.of("{not json", "Malformed JSON body"),
        Arguments.of("", "Request body must be a JSON object"),
        Arguments.of("[\"u\",\"p\"]", "Request body must be a JSON object"),
        Arguments.of("{\"password\":\"long enough\"}", "username is required"),
        Arguments.of("{\"username\":\"\",\"password\":\"long enough\"}", "username is required"),
        Arguments.of("{\"username\":\"   \",\"password\":\"long enough\"}", "username is required"),
        Arguments.of("{\"username\":\"bad-shape\"}", "password is required"),
        Arguments.of("{\"username\":\"bad-shape\",\"password\":\"\"}", "password is required"),
        Arguments.of("{\"username\":\"bad-shape\",\"password\":\"1234567\"}",
            "password must be at least 8 characters"),
        Arguments.of("{\"username\":7,\"password\":\"long enough\"}", "username must be a string"),
        Arguments.of("{\"username\":\"" + "u".repeat(101) + "\",\"password\":\"long enough\"}",
            "username must be at most 100 characters"));
  }

  @ParameterizedTest
  @MethodSource("badRegistrations")
  void givenBadRegistration_thenBadRequestAndNoUser(String body, String message) {
    long before = userCount();
    Resp r = app.post("/api/auth/register", null, body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text("error")).isEqualTo(message);
    assertThat(userCount()).isEqualTo(before);
  }

  @Test
  void givenEightCharacterPassword_whenRegistered_thenAccepted() {
    assertThat(ids.register(Identities.unique("eight"), "12345678").status()).isEqualTo(201);
  }

  static Stream<Arguments> badLogins() {
    return Stream.of(
        Arguments.of("{not json", 400),
        Arguments.of("{}", 400),
        Arguments.of("{\"username\":\"\",\"password\":\"x\"}", 400),
        Arguments.of("{\"username\":\"someone\",\"password\":\"\"}", 400),
        Arguments.of("{\"username\":\"nobody-at-all\",\"password\":\"whatever1\"}", 401));
  }

  @ParameterizedTest
  @MethodSource("badLogins")
  void givenBadLogin_thenRejectedWithoutToken(String body, int status) {
    Resp r = app.post("/api/auth/login", null, body);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.body().has("token")).isFalse();
    assertThat(r.text("error")).isNotBlank();
    assertThat(r.raw().headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void givenWrongPassword_whenLoggingIn_thenUnauthorizedLikeAnUnknownUser() {
    String username = Identities.unique("hopper");
    ids.register(username, Identities.PASSWORD);

    Resp wrong = ids.login(username, Identities.PASSWORD + "!");
    Resp unknown = ids.login(Identities.unique("ghost"), Identities.PASSWORD);

    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.text("error")).isEqualTo("Invalid username or password")
        .isEqualTo(unknown.text("error"));
  }

  @Test
  void givenUsernameInOtherCase_whenLoggingIn_thenSameUser() {
    User user = ids.newUser("Case");
    Resp r = ids.login(user.username().toUpperCase(), Identities.PASSWORD);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("user_id")).isEqualTo(user.id());
    assertThat(r.text("username")).isEqualTo(user.username());
  }

  @Test
  void givenTamperedSignature_whenUsed_thenUnauthorized() {
    User user = ids.newUser("tamper");
    String[] parts = user.token().split("\\.");
    char[] sig = parts[2].toCharArray();
    int middle = sig.length / 2;
    sig[middle] = sig[middle] == 'A' ? 'B' : 'A';
    String tampered = parts[0] + "." + parts[1] + "." + new String(sig);

    assertThat(ids.bearer("GET", "/api/user/apikeys", user.token(), null).status()).isEqualTo(200);
    Resp r = ids.bearer("GET", "/api/user/apikeys", tampered, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.text("error")).isEqualTo("Invalid or expired token");
    assertThat(ids.bearer("GET", "/interrupts/pending/u", tampered, null).status()).isEqualTo(401);
  }

  @Test
  void givenPayloadChangedToAnotherUser_whenUsed_thenUnauthorized() {
    User mallory = ids.newUser("mallory");
    User victim = ids.newUser("victim");
    String[] parts = mallory.token().split("\\.");
    Base64.Decoder dec = Base64.getUrlDecoder();
    String payload = new String(dec.decode(parts[1]), StandardCharsets.UTF_8)
        .replace(mallory.id(), victim.id());
    assertThat(payload).contains(victim.id());
    String forged = parts[0] + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "." + parts[2];

    assertThat(ids.bearer("GET", "/api/user/apikeys", forged, null).status()).isEqualTo(401);
  }

  @Test
  void givenTokenSignedRightButExpired_whenUsed_thenUnauthorized() {
    User user = ids.newUser("expired");
    Algorithm right = Algorithm.HMAC256(storedSecret());
    String expired = JWT.create().withIssuer("loopgate").withSubject(user.id())
        .withClaim("user_id", user.id()).withClaim("username", user.username())
        .withIssuedAt(Instant.now().minusSeconds(7200)).withExpiresAt(Instant.now().minusSeconds(60))
        .sign(right);
    String fresh = JWT.create().withIssuer("loopgate").withSubject(user.id())
        .withClaim("user_id", user.id()).withClaim("username", user.username())
        .withExpiresAt(Instant.now().plusSeconds(60)).sign(right);

    assertThat(ids.bearer("GET", "/api/user/apikeys", fresh, null).status())
        .as("the same token unexpired is accepted").isEqualTo(200);
    Resp r = ids.bearer("GET", "/api/user/apikeys", expired, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.text("error")).isEqualTo("Invalid or expired token");
  }

  @Test
  void givenTokensNotOursOrUnsigned_whenUsed_thenUnauthorized() {
    User user = ids.newUser("forger");
    String otherSecret = JWT.create().withIssuer("loopgate").withSubject(user.id())
        .withClaim("user_id", user.id()).withClaim("username", user.username())
        .withExpiresAt(Instant.now().plusSeconds(600))
        .sign(Algorithm.HMAC256("a different secret of at least thirty-two characters"));
    String otherIssuer = JWT.create().withIssuer("someone-else").withSubject(user.id())
        .withClaim("user_id", user.id()).withClaim("username", user.username())
        .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256(storedSecret()));
    String unsigned = JWT.create().withIssuer("loopgate").withSubject(user.id())
        .withClaim("user_id", user.id()).withClaim("username", user.username())
        .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.none());

    for (String token : List.of(otherSecret, otherIssuer, unsigned)) {
      assertThat(ids.bearer("GET", "/api/user/apikeys", token, null).status()).as(token)
          .isEqualTo(401);
    }
  }

  @Test
  void givenLoginToken_whenUsedOnLoopin_thenActsAsOwnerWithFullRights() {
    User user = ids.newUser("agent-owner");
    Resp created = ids.bearer("POST", "/interrupts", user.token(),
        TestApp.interrupt("u1", "Deploy to production"));
    assertThat(created.status()).isEqualTo(201);
    String id = created.text("interruptId");
    String owner = app.jdbi().withHandle(h -> h.createQuery(
        "select owner_id from interrupts where id = cast(:id as uuid)").bind("id", id)
        .mapTo(String.class).one());
    assertThat(owner).isEqualTo(user.id());

    Resp decided = ids.bearer("POST", "/interrupts/" + id + "/decide", user.token(),
        Map.of("decision", "approved"));
    assertThat(decided.status()).isEqualTo(200);
    String actor = app.jdbi().withHandle(h -> h.createQuery(
        "select actor from interrupt_events where interrupt_id = cast(:id as uuid) and event = 'approved'")
        .bind("id", id).mapTo(String.class).one());
    assertThat(actor).isEqualTo(user.username());
    assertThat(app.get("/interrupts/" + id, TestApp.ADMIN_KEY).status())
        .as("the admin key is another owner").isEqualTo(404);
  }

  @Test
  void givenStoredPasswords_thenOnlyArgon2idHashes() {
    String username = Identities.unique("hashes");
    String password = "a password worth protecting " + UUID.randomUUID();
    ids.register(username, password);

    Map<String, Object> row = app.jdbi().withHandle(h -> h.createQuery(
        "select * from users where username = :u").bind("u", username).mapToMap().one());

    String hash = (String) row.get("password_hash");
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(row.values()).extracting(String::valueOf).noneMatch(v -> v.contains(password));
    assertThat(ids.login(username, password).status()).isEqualTo(200);
  }

  private static long userCount() {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from users")
        .mapTo(Long.class).one());
  }
}
