package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;

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
}
