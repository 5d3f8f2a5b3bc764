package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins and registrations are limited before any password is hashed: per client address
 * and per username for logins, per address for registrations; a refusal is 429 with
 * Retry-After in the error shape of /api/auth, even when the password is right.
 */
class LoginThrottleTest {

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data,
        ConfigOverride.config("limits.loginsPerMinutePerAddress", "6"),
        ConfigOverride.config("limits.loginsPerMinutePerUsername", "3"),
        ConfigOverride.config("limits.registrationsPerMinutePerAddress", "2")).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void registrationsLoginsPerUsernameAndPerAddressAreEachLimited() {
    assertThat(register("alice").status()).isEqualTo(201);
    assertThat(register("bob").status()).isEqualTo(201);
    assertRefused(register("carol"));

    for (int i = 0; i < 3; i++) {
      assertThat(login("alice", "wrong-password").status()).isEqualTo(401);
    }
    assertRefused(login("alice", "correct-horse"));
    assertRefused(login("ALICE", "correct-horse"));

    // alice's username is spent, not the address: 3 failures and 2 refusals took 5 of its 6.
    assertThat(login("bob", "correct-horse").status()).isEqualTo(200);
    assertRefused(login("bob", "correct-horse"));
  }

  private static Resp register(String username) {
    return app.post("/api/auth/register", null,
        Map.of("username", username, "password", "correct-horse"));
  }

  private static Resp login(String username, String password) {
    return app.post("/api/auth/login", null, Map.of("username", username, "password", password));
  }

  private static void assertRefused(Resp r) {
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.text("error")).isEqualTo("Rate limit exceeded");
    long retryAfter = Long.parseLong(r.raw().headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
  }
}
