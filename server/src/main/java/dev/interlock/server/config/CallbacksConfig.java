package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;

public class CallbacksConfig {

  /**
   * false (production): refuse callback URLs whose host resolves to loopback, private,
   * link-local or other internal addresses (SSRF guard). The shipped development config
   * sets true so local receivers work.
   */
  @JsonProperty public boolean allowPrivateNetworks = false;

  /** Time limit of one delivery attempt. */
  @JsonProperty public Duration timeout = Duration.seconds(10);
}
