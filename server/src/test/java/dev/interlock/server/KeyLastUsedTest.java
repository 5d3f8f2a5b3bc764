package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key lists show when a key was last used as soon as it was, although the time reaches
 * the database only at the next flush (an hour away here, so no test can lean on it).
 */
class KeyLastUsedTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;

  @BeforeAll
  static void start() {
    app = new TestApp(data, ConfigOverride.config("auth.lastUsedFlushInterval", "1h")).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The listed key with this id, whatever envelope the list comes in. */
  private static JsonNode listed(JsonNode list, String id) {
    return list.findParents("id").stream()
        .filter(k -> k.path("id").asText().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void givenALoopgateKeyJustUsed_whenListed_thenItsLastUseShowsAtOnce() {
    User user = ids.newUser("last-used");
    Resp created = ids.createKey(user, Map.of("label", "agent"));
    String id = created.text("id");
    assertThat(listed(ids.bearer("GET", "/api/user/apikeys", user.token(), null).body(), id)
        .path("last_used_at").isNull()).as("never used yet").isTrue();

    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    assertThat(app.get("/interrupts/pending/u", created.text("raw_key")).status()).isEqualTo(200);

    JsonNode key = listed(ids.bearer("GET", "/api/user/apikeys", user.token(), null).body(), id);
    assertThat(key.path("last_used_at").isNull()).as("shown before any flush").isFalse();
    assertThat(Instant.parse(key.path("last_used_at").asText()))
        .isBetween(before, Instant.now());
    boolean stored = app.jdbi().withHandle(h -> h.createQuery(
            "select last_used_at is not null from api_keys where id = :id")
        .bind("id", id).mapTo(Boolean.class).one());
    assertThat(stored).as("the database has not been written yet: the list read memory")
        .isFalse();
  }

  @Test
  void givenAnAgentGateKeyJustUsed_whenListed_thenItsLastUseShowsAtOnce() {
    Resp created = app.post("/api/keys", ADMIN_KEY,
        Map.of("name", "agent", "scopes", List.of("request:read")));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("id");

    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    assertThat(app.get("/api/requests", created.text("key")).status()).isEqualTo(200);

    JsonNode key = listed(app.get("/api/keys", ADMIN_KEY).body(), id);
    assertThat(key.path("lastUsedAt").isNull()).as("shown before any flush").isFalse();
    assertThat(Instant.parse(key.path("lastUsedAt").asText())).isBetween(before, Instant.now());
  }
}
