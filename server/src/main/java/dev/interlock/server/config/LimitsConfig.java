package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

public class LimitsConfig {

  /** Largest accepted request body; larger ones get 400. */
  @JsonProperty public int maxBodyBytes = 1024 * 1024;

  /** Longest long-poll ({@code ?wait=N}) a client may ask for, in seconds. */
  @JsonProperty public int maxWaitSeconds = 60;

  /** Longest expiry a new interrupt may ask for, in seconds (default one year). */
  @JsonProperty public long maxExpiresInSeconds = 365L * 24 * 3600;

  /**
   * Where rate-limit buckets live: {@code POSTGRES} (default: every instance shares them, so a
   * limit holds across a cluster) or {@code MEMORY} (each instance counts alone; no database
   * round trip per limited request).
   */
  @JsonProperty public RateLimitStore rateLimitStore = RateLimitStore.POSTGRES;

  /** Login attempts one client address may make per minute (Loopgate and the dashboard). */
  @JsonProperty public int loginsPerMinutePerAddress = 60;

  /** Login attempts per minute for one username, from anywhere. */
  @JsonProperty public int loginsPerMinutePerUsername = 10;

  /** Registrations one client address may make per minute. */
  @JsonProperty public int registrationsPerMinutePerAddress = 20;

  public enum RateLimitStore {
    POSTGRES,
    MEMORY
  }
}
