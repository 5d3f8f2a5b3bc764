package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.IdentityModule;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity settings that need an application of their own: restarts, closed registration. */
class IdentityConfigTest {

  @Test
  void givenEmbeddedModeWithoutSecret_whenRestarted_thenTokensStayValidAndKeyUseIsFlushedOnStop(
      @TempDir Path data) {
    ConfigOverride slowFlush = ConfigOverride.config("auth.lastUsedFlushInterval", "1h");
    User user;
    Resp key;
    try (TestApp first = new TestApp(data, slowFlush).start()) {
      Identities ids = new Identities(first);
      user = ids.newUser("restart");
      key = ids.createKey(user, Map.of("label", "used before stop"));
      assertThat(first.get("/interrupts/pending/u", key.text("raw_key")).status()).isEqualTo(200);
      // The list shows the use at once (from memory); the row is written when the server stops.
      Resp beforeStop = ids.bearer("GET", "/api/user/apikeys", user.token(), null);
      assertThat(beforeStop.body().get(0).path("last_used_at").isNull()).isFalse();
      assertThat(storedLastUse(first, key.text("id")))
          .as("not flushed yet with a one-hour interval").isNull();
    }

    try (TestApp second = new TestApp(data, slowFlush).start()) {
      Identities ids = new Identities(second);
      Resp listed = ids.bearer("GET", "/api/user/apikeys", user.token(), null);
      assertThat(listed.status()).as("token from before the restart").isEqualTo(200);
      assertThat(listed.body().get(0).path("id").asText()).isEqualTo(key.text("id"));
      assertThat(listed.body().get(0).path("last_used_at").isNull()).isFalse();
      assertThat(storedLastUse(second, key.text("id")))
          .as("flushed when the first run stopped").isNotNull();
      assertThat(second.get("/interrupts/pending/u", key.text("raw_key")).status()).isEqualTo(200);
    }
  }

  /** The key's last use as the database holds it (null until the usage is flushed). */
  private static java.time.OffsetDateTime storedLastUse(TestApp app, String keyId) {
    return app.jdbi().withHandle(h -> h.createQuery("select last_used_at from api_keys where id = :id")
        .bind("id", keyId).mapTo(java.time.OffsetDateTime.class).one());
  }

  @Test
  void givenClosedRegistrationAndConfiguredSecret_thenRegisterForbiddenAndTokensUseThatSecret(
      @TempDir Path data) {
    String secret = "configured-secret-" + UUID.randomUUID();
    try (TestApp app = new TestApp(data, ConfigOverride.config("auth.registration", "closed"),
        ConfigOverride.config("auth.jwtSecret", secret)).start()) {
      Identities ids = new Identities(app);

      Resp r = ids.register("would-be-user", Identities.PASSWORD);

      assertThat(r.status()).isEqualTo(403);
      assertThat(r.text("error")).isEqualTo("Registration is closed on this server");
      long users = app.jdbi().withHandle(h -> h.createQuery("select count(*) from users")
          .mapTo(Long.class).one());
      // Only the login-token secret is configured here; review links keep their own.
      long secrets = app.jdbi().withHandle(h -> h.createQuery(
          "select count(*) from server_secrets where name = 'jwt_secret'").mapTo(Long.class).one());
      assertThat(users).as("only the configured admin user (test-config.yml)").isEqualTo(1);
      assertThat(secrets).as("nothing generated when a secret is configured").isZero();
      String userId = UUID.randomUUID().toString();
      String token = JWT.create().withIssuer("loopgate").withSubject(userId)
          .withClaim("user_id", userId).withClaim("username", "someone")
          .withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256(secret));
      // The signature is accepted (a wrong one says "Invalid or expired token"); the user
      // the token names does not exist, so it belongs to no workspace.
      Resp signed = ids.bearer("GET", "/api/user/apikeys", token, null);
      assertThat(signed.status()).isEqualTo(401);
      assertThat(signed.text("error")).isEqualTo("This user belongs to no workspace");
    }
  }

  @Test
  void givenExternalDatabaseWithoutSecret_thenRefusesToStartWithAClearMessage() {
    assertThatThrownBy(() -> IdentityModule.jwtSecret("", false, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auth.jwtSecret (INTERLOCK_JWT_SECRET) is not set")
        .hasMessageContaining("database.embedded: false");
    assertThatThrownBy(() -> IdentityModule.jwtSecret("   ", false, null))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void givenShortSecret_thenRefusedInAnyMode() {
    assertThatThrownBy(() -> IdentityModule.jwtSecret("too-short", true, null))
        .hasMessageContaining("at least 32 characters");
    assertThat(IdentityModule.jwtSecret("x".repeat(32), false, null)).isEqualTo("x".repeat(32));
  }
}
