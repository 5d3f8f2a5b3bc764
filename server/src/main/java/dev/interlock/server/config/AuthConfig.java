package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

public class AuthConfig {

  /**
   * If set, an admin API key with exactly this value is ensured at start. If empty and no
   * key exists at all, one is generated and printed once to the log.
   */
  @JsonProperty public String adminKey = "";
}
