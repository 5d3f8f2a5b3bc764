package dev.interlock.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.interlock.server.config.AuthConfig;
import dev.interlock.server.config.CallbacksConfig;
import dev.interlock.server.config.DatabaseFactory;
import dev.interlock.server.config.ExpiryConfig;
import dev.interlock.server.config.LimitsConfig;
import dev.interlock.server.config.ReviewConfig;
import dev.interlock.server.config.McpConfig;
import dev.interlock.server.config.TemporalConfig;
import dev.interlock.server.config.WorkerConfig;
import io.dropwizard.core.Configuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** Every key is documented in config.yml and docs/configuration.md. */
public class InterlockConfiguration extends Configuration {

  /** Public base URL for links Interlock hands out (review URLs). Empty: http://localhost:PORT. */
  @JsonProperty public String baseUrl = "";

  /** Directory for embedded-mode state (the PostgreSQL data directory lives in ./postgres). */
  @JsonProperty @NotNull public String dataDir = "./data";

  @JsonProperty @Valid @NotNull public DatabaseFactory database = new DatabaseFactory();

  @JsonProperty @Valid @NotNull public TemporalConfig temporal = new TemporalConfig();

  @JsonProperty @Valid @NotNull public WorkerConfig worker = new WorkerConfig();

  @JsonProperty @Valid @NotNull public ExpiryConfig expiry = new ExpiryConfig();

  @JsonProperty @Valid @NotNull public AuthConfig auth = new AuthConfig();

  @JsonProperty @Valid @NotNull public CallbacksConfig callbacks = new CallbacksConfig();

  @JsonProperty @Valid @NotNull public LimitsConfig limits = new LimitsConfig();

  @JsonProperty @Valid @NotNull public ReviewConfig review = new ReviewConfig();
  @JsonProperty @Valid @NotNull public McpConfig mcp = new McpConfig();
  @JsonProperty @Valid @NotNull public dev.interlock.server.config.LoopsConfig loops =
      new dev.interlock.server.config.LoopsConfig();
  @JsonProperty @Valid @NotNull public dev.interlock.server.config.EngineConfig engine =
      new dev.interlock.server.config.EngineConfig();
}
