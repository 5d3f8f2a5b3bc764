package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.ApiKeys;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.slf4j.LoggerFactory;

/** Loopgate's key management over HTTP, and how keys then authenticate everywhere. */
class ApiKeyManagementTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("auth.lastUsedFlushInterval", "200ms")).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static JsonNode listed(User user, String keyId) {
    Resp list = ids.bearer("GET", "/api/user/apikeys", user.token(), null);
    assertThat(list.status()).isEqualTo(200);
    for (JsonNode k : list.body()) {
      if (k.path("id").asText().equals(keyId)) {
        return k;
      }
    }
    return null;
  }

  @Test
  void givenUser_whenKeyCreated_thenRawKeyOnceAndSpecShape() {
    User user = ids.newUser("keys");
    Resp r = ids.createKey(user, Map.of("label", "My production key",
        "expires_at", "2099-12-31T23:59:59Z"));

    assertThat(r.body().fieldNames()).toIterable().contains("id", "raw_key", "label", "prefix",
        "expires_at", "created_at");
    assertThat(UUID.fromString(r.text("id")).toString()).isEqualTo(r.text("id"));
    assertThat(r.text("raw_key")).matches("lk_pub_[0-9a-f]{64}");
    assertThat(r.text("label")).isEqualTo("My production key");
    assertThat(r.text("prefix")).isEqualTo("lk_pub_");
    assertThat(Instant.parse(r.text("expires_at"))).isEqualTo(Instant.parse("2099-12-31T23:59:59Z"));
    assertThat(Instant.parse(r.text("created_at"))).isBetween(Instant.now().minusSeconds(30), Instant.now());

    JsonNode item = listed(user, r.text("id"));
    assertThat(item).isNotNull();
    assertThat(item.has("raw_key")).as("the raw key is shown only once").isFalse();
    assertThat(item.path("label").asText()).isEqualTo("My production key");
    assertThat(item.path("prefix").asText()).isEqualTo("lk_pub_");
    assertThat(item.path("is_active").asBoolean()).isTrue();
    assertThat(item.has("last_used_at")).isTrue();
    assertThat(item.path("last_used_at").isNull()).isTrue();
    assertThat(item.path("expires_at").asText()).isEqualTo(r.text("expires_at"));
    assertThat(item.path("created_at").asText()).isEqualTo(r.text("created_at"));
  }

  @Test
  void givenNoBody_whenKeyCreated_thenNoLabelNoExpiryAndEveryScopeButAdmin() {
    User user = ids.newUser("nobody");
    Resp r = ids.bearer("POST", "/api/user/apikeys", user.token(), null);

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body().path("label").isNull()).isTrue();
    assertThat(r.body().path("expires_at").isNull()).isTrue();
    assertThat(r.body().path("scopes")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
        "request:create", "request:read", "request:decide", "webhook:manage", "loop:read",
        "loop:write");
    String key = r.text("raw_key");
    assertThat(app.post("/interrupts", key, TestApp.interrupt("u", "Works")).status()).isEqualTo(201);
    // The same key works Loop's queue (Bearer, as Loop's SDK sends it).
    assertThat(app.send(app.builder("/api/dispatch/queue", null)
        .header("Authorization", "Bearer " + key)).status()).isEqualTo(200);
  }

  @Test
  void givenKey_whenSentInEitherHeader_thenAuthenticatesAsTheUser() {
    User user = ids.newUser("headers");
    String key = ids.rawKey(user, Map.of());
    String id = ids.bearer("POST", "/interrupts", user.token(), TestApp.interrupt("u", "Mine"))
        .text("interruptId");

    Resp viaHeader = app.get("/interrupts/" + id, key);
    Resp viaBearer = ids.bearer("GET", "/interrupts/" + id, key, null);

    assertThat(viaHeader.status()).isEqualTo(200);
    assertThat(viaBearer.status()).isEqualTo(200);
    assertThat(viaBearer.text("interruptId")).isEqualTo(id);
  }

  @Test
  void givenApiKey_whenManagingKeys_thenUnauthorizedBecauseALoginIsNeeded() {
    User user = ids.newUser("keyonly");
    String key = ids.rawKey(user, Map.of());
    long before = keyCount(user.id());

    assertThat(app.post("/api/user/apikeys", key, Map.of()).status()).isEqualTo(401);
    assertThat(ids.bearer("POST", "/api/user/apikeys", key, Map.of()).status()).isEqualTo(401);
    assertThat(app.get("/api/user/apikeys", key).status()).isEqualTo(401);
    assertThat(app.get("/api/user/apikeys", null).status()).isEqualTo(401);
    assertThat(keyCount(user.id())).isEqualTo(before);
  }

  static Stream<Arguments> badCreates() {
    return Stream.of(
        Arguments.of("{\"expires_at\":\"next tuesday\"}",
            "expires_at must be an RFC 3339 date-time such as 2025-12-31T23:59:59Z"),
        Arguments.of("{\"expires_at\":\"2030-01-01\"}",
            "expires_at must be an RFC 3339 date-time such as 2025-12-31T23:59:59Z"),
        Arguments.of("{\"expires_at\":\"2020-01-01T00:00:00Z\"}", "expires_at must be in the future"),
        Arguments.of("{\"expires_at\":42}", "expires_at must be a string"),
        Arguments.of("{\"label\":[1]}", "label must be a string"),
        Arguments.of("{\"scopes\":[\"request:read\",\"root\"]}",
            "unknown scope \"root\"; known scopes: admin, request:create, request:read, request:decide, webhook:manage, loop:read, loop:write"),
        Arguments.of("{\"scopes\":\"request:read\"}",
            "scopes must be a non-empty array of: admin, request:create, request:read, request:decide, webhook:manage, loop:read, loop:write"),
        Arguments.of("{\"scopes\":[]}",
            "scopes must be a non-empty array of: admin, request:create, request:read, request:decide, webhook:manage, loop:read, loop:write"),
        Arguments.of("{\"rate_limit\":\"fast\"}", "rate_limit must be a whole number"),
        Arguments.of("{broken", "Malformed JSON body"));
  }

  @ParameterizedTest
  @MethodSource("badCreates")
  void givenBadCreateBody_thenBadRequestAndNoKey(String body, String message) {
    User user = ids.newUser("badkey");
    Resp r = ids.bearer("POST", "/api/user/apikeys", user.token(), body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text("error")).isEqualTo(message);
    assertThat(keyCount(user.id())).isZero();
  }

  @Test
  void givenRfc3339WithOffset_whenKeyCreated_thenExpiryInUtc() {
    User user = ids.newUser("offset");
    Resp r = ids.createKey(user, Map.of("expires_at", "2099-06-01T12:00:00+02:00"));
    assertThat(Instant.parse(r.text("expires_at"))).isEqualTo(Instant.parse("2099-06-01T10:00:00Z"));
  }

  @Test
  void givenKey_whenRevoked_thenUnauthorizedAndListedInactive() {
    User user = ids.newUser("revoke");
    Resp created = ids.createKey(user, Map.of("label", "to revoke"));
    String key = created.text("raw_key");
    String keyId = created.text("id");
    assertThat(app.get("/interrupts/pending/u", key).status()).isEqualTo(200);

    Resp revoked = ids.bearer("DELETE", "/api/user/apikeys/" + keyId, user.token(), null);

    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.body().fieldNames()).toIterable().containsExactly("message");
    assertThat(revoked.text("message")).isEqualTo("API key revoked successfully");
    Resp afterwards = app.get("/interrupts/pending/u", key);
    assertThat(afterwards.status()).isEqualTo(401);
    assertThat(afterwards.text("error")).isEqualTo("Invalid, revoked or expired API key");
    assertThat(ids.bearer("GET", "/interrupts/pending/u", key, null).status()).isEqualTo(401);
    assertThat(listed(user, keyId).path("is_active").asBoolean()).isFalse();
    assertThat(ids.bearer("DELETE", "/api/user/apikeys/" + keyId, user.token(), null).status())
        .as("revoking again is harmless").isEqualTo(200);
  }

  @Test
  void givenBadOrUnknownKeyId_whenRevoked_thenBadRequestOrNotFound() {
    User user = ids.newUser("badid");
    Resp notUuid = ids.bearer("DELETE", "/api/user/apikeys/not-a-uuid", user.token(), null);
    Resp unknown = ids.bearer("DELETE", "/api/user/apikeys/" + UUID.randomUUID(), user.token(), null);

    assertThat(notUuid.status()).isEqualTo(400);
    assertThat(notUuid.text("error")).isEqualTo("key_id must be a UUID");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text("error")).isEqualTo("API key not found");
  }

  @Test
  void givenKeyExpiringInASecond_whenUsedBeforeAndAfter_thenOnlyBeforeWorks() throws Exception {
    User user = ids.newUser("expiring");
    Instant expiry = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    Resp created = ids.createKey(user, Map.of("expires_at", expiry.toString()));
    String key = created.text("raw_key");

    assertThat(app.get("/interrupts/pending/u", key).status()).isEqualTo(200);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis()) + 300);

    Resp expired = app.get("/interrupts/pending/u", key);
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.text("error")).isEqualTo("Invalid, revoked or expired API key");
    assertThat(listed(user, created.text("id")).path("is_active").asBoolean()).isFalse();
  }

  @Test
  void givenAlreadyExpiredRowInStore_whenUsed_thenUnauthorized() {
    String raw = ApiKeys.generate("lk_pub_");
    app.jdbi().useHandle(h -> h.createUpdate("""
        insert into api_keys (id, owner_id, name, key_hash, key_prefix, scopes, expires_at)
        values (:id, 'owner-expired', 'old', :hash, 'lk_pub_', '{request:read}', now() - interval '1 minute')
        """).bind("id", UUID.randomUUID().toString()).bind("hash", ApiKeys.sha256Hex(raw)).execute());

    assertThat(app.get("/interrupts/pending/u", raw).status()).isEqualTo(401);
  }

  @Test
  void givenKeyUsed_thenLastUsedAtRecordedAfterTheFlush() {
    User user = ids.newUser("lastused");
    Resp created = ids.createKey(user, Map.of());
    assertThat(listed(user, created.text("id")).path("last_used_at").isNull()).isTrue();

    Instant before = Instant.now();
    assertThat(app.get("/interrupts/pending/u", created.text("raw_key")).status()).isEqualTo(200);

    assertThat(TestApp.eventually(Duration.ofSeconds(5),
        () -> !listed(user, created.text("id")).path("last_used_at").isNull())).isTrue();
    Instant lastUsed = Instant.parse(listed(user, created.text("id")).path("last_used_at").asText());
    assertThat(lastUsed).as("the time of the use, not of the flush or the second")
        .isBetween(before.truncatedTo(ChronoUnit.MILLIS), Instant.now());
    assertThat(lastUsed).isAfterOrEqualTo(Instant.parse(created.text("created_at")));
  }

  @Test
  void givenTwoUsers_whenOneTouchesTheOthersKeys_thenNotFoundAndKeyUnchanged() {
    User alice = ids.newUser("alice");
    User bob = ids.newUser("bob");
    Resp aliceKey = ids.createKey(alice, Map.of("label", "alice's"));

    Resp bobList = ids.bearer("GET", "/api/user/apikeys", bob.token(), null);
    Resp bobRevoke = ids.bearer("DELETE", "/api/user/apikeys/" + aliceKey.text("id"), bob.token(), null);

    assertThat(bobList.body()).extracting(k -> k.path("id").asText())
        .doesNotContain(aliceKey.text("id"));
    assertThat(bobRevoke.status()).isEqualTo(404);
    assertThat(bobRevoke.text("error")).isEqualTo("API key not found");
    assertThat(listed(alice, aliceKey.text("id")).path("is_active").asBoolean()).isTrue();
    assertThat(app.get("/interrupts/pending/u", aliceKey.text("raw_key")).status()).isEqualTo(200);
  }

  @Test
  void givenKeysAndPasswords_thenNeverStoredOrLoggedInPlaintext() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String password = "plaintext-password-" + UUID.randomUUID();
    String key;
    String username = Identities.unique("secretive");
    try {
      assertThat(ids.register(username, password).status()).isEqualTo(201);
      assertThat(ids.login(username, password + "wrong").status()).isEqualTo(401);
      Resp login = ids.login(username, password);
      User user = new User(username, login.text("user_id"), login.text("token"));
      key = ids.rawKey(user, Map.of("label", "secret test"));
      assertThat(app.get("/interrupts/pending/u", key).status()).isEqualTo(200);
      assertThat(ids.bearer("GET", "/interrupts/pending/u", key, null).status()).isEqualTo(200);
      assertThat(app.post("/interrupts", key, "{not json").status()).isEqualTo(400);
      String revokedId = ids.createKey(user, Map.of()).text("id");
      ids.bearer("DELETE", "/api/user/apikeys/" + revokedId, user.token(), null);
      TestApp.eventually(Duration.ofSeconds(2), () -> false); // let the usage flush run
    } finally {
      root.detachAppender(logs);
    }
    String hexPart = key.substring("lk_pub_".length());

    assertThat(logs.list).as("something was logged at all").isNotEmpty();
    for (ILoggingEvent e : logs.list) {
      String text = e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertThat(text).doesNotContain(password).doesNotContain(hexPart);
    }
    List<Map<String, Object>> keyRows = app.jdbi().withHandle(h -> h.createQuery(
        "select * from api_keys").mapToMap().list());
    assertThat(keyRows).isNotEmpty();
    for (Map<String, Object> row : keyRows) {
      assertThat(row.values()).extracting(String::valueOf).noneMatch(v -> v.contains(hexPart));
    }
    assertThat(keyRows).extracting(r -> r.get("key_hash")).contains(ApiKeys.sha256Hex(key));
    String hash = app.jdbi().withHandle(h -> h.createQuery(
        "select password_hash from users where username = :u").bind("u", username)
        .mapTo(String.class).one());
    assertThat(hash).startsWith("$argon2id$").doesNotContain(password);
  }

  private static long keyCount(String ownerId) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select count(*) from api_keys where owner_id = :o").bind("o", ownerId)
        .mapTo(Long.class).one());
  }
}
