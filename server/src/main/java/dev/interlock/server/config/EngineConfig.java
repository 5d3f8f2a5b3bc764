package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * Loop, the improvement engine ({@code engine:} in config.yml): where provider webhooks put
 * their signals, their secrets, and how long a dispatch lease lasts. docs/configuration.md
 * describes each key.
 */
public class EngineConfig {

  /**
   * The workspace that owns what the provider webhooks ({@code /api/signals/github},
   * {@code sentry}, {@code posthog}) create; they carry no key that would name one.
   */
  @JsonProperty @NotBlank public String webhookWorkspace = "admin";

  // ---- provider webhooks (signals) -------------------------------------------------------

  // ---- dispatch ---------------------------------------------------------------------------

  /**
   * How long a claim of {@code GET /api/dispatch/next} holds its issue without a sign of life
   * from the agent (an update of the issue, a comment, {@code loop_heartbeat}); then the issue
   * returns to {@code todo}. From {@code LOOP_DISPATCH_LEASE} ({@code 30m}, {@code 3s}, ...).
   */
  @JsonProperty @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  public Duration dispatchLease = Duration.minutes(30);
}
