package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

public class LimitsConfig {

  /** Largest accepted request body; larger ones get 400. */
  @JsonProperty public int maxBodyBytes = 1024 * 1024;

  /** Longest long-poll ({@code ?wait=N}) a client may ask for, in seconds. */
  @JsonProperty public int maxWaitSeconds = 60;

  /** Longest expiry a new interrupt may ask for, in seconds (default one year). */
  @JsonProperty public long maxExpiresInSeconds = 365L * 24 * 3600;
}
