package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Keys, users and login tokens. docs/configuration.md describes each key. */
public class AuthConfig {

  /** Whether anyone may create a user with {@code POST /api/auth/register}. */
  public enum Registration {
    OPEN,
    CLOSED
  }

  /**
   * If set, an admin API key with exactly this value is ensured at start. If empty and no
   * key exists at all, one is generated and printed once to the log.
   */
  @JsonProperty public String adminKey = "";

  /**
   * If set (with {@link #adminPassword}), a user with this name is ensured at start and made
   * an admin of the default workspace (the admin key's). An existing user keeps its
   * password. Empty: the first user who registers becomes that admin.
   */
  @JsonProperty public String adminUser = "";

  /** The password of {@link #adminUser} when it has to be created (at least 8 characters). */
  @JsonProperty public String adminPassword = "";

  /**
   * Secret that signs login tokens (HS256), at least 32 characters. Empty: with the
   * embedded database, one is generated on first start and kept in the database; with an
   * external database the server refuses to start, because every instance must share it.
   */
  @JsonProperty public String jwtSecret = "";

  /** How long a login token (and the session cookie carrying it) is valid. */
  @JsonProperty @NotNull public Duration jwtLifetime = Duration.hours(24);

  /** {@code open}: anyone may register; {@code closed}: registration answers 403. */
  @JsonProperty @NotNull public Registration registration = Registration.OPEN;

  /**
   * How often the times API keys were last used are written to the database. Uses are
   * collected in memory in between, so requests never wait for that write.
   */
  @JsonProperty @NotNull public Duration lastUsedFlushInterval = Duration.seconds(10);
}
