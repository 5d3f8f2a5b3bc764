package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** The review page and its links. docs/configuration.md describes each key. */
public class ReviewConfig {

  /**
   * false: a review link (its signed token) is enough to see and decide its interrupt, as
   * LoopIn's review page works. true: only the logged-in owner may open a review page; a
   * link without a session leads to the login page first.
   */
  @JsonProperty public boolean requireLogin = false;

  /**
   * How long a review link stays valid after its interrupt expires, so a reviewer can still
   * see the outcome. The link is refused after that.
   */
  @JsonProperty @NotNull public Duration linkGrace = Duration.days(1);

  /**
   * Secret that signs review links (HMAC-SHA256), at least 32 characters. Empty: one is
   * generated on first start and kept in the database (table server_secrets), which every
   * instance of a deployment shares. Changing it invalidates every link handed out.
   */
  @JsonProperty public String secret = "";
}
