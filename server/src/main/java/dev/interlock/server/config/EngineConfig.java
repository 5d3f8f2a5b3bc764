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

  /**
   * GitHub's webhook secret ({@code LOOP_GITHUB_WEBHOOK_SECRET}): {@code /api/signals/github}
   * checks {@code X-Hub-Signature-256} ({@code sha256=} HMAC-SHA256 of the body) with it.
   * Empty: that endpoint answers 503 and the server warns at start.
   */
  @JsonProperty public String githubWebhookSecret = "";

  /**
   * The client secret of the Sentry integration ({@code LOOP_SENTRY_CLIENT_SECRET}):
   * {@code /api/signals/sentry} checks {@code Sentry-Hook-Signature} (hex HMAC-SHA256 of the
   * body) with it. Empty: 503, and a warning at start.
   */
  @JsonProperty public String sentryClientSecret = "";

  /**
   * The secret PostHog sends ({@code LOOP_POSTHOG_WEBHOOK_SECRET}) in {@code X-PostHog-Secret}
   * or {@code Authorization} to {@code /api/signals/posthog}. Empty: 503, and a warning at
   * start.
   */
  @JsonProperty public String posthogWebhookSecret = "";

  // ---- dispatch ---------------------------------------------------------------------------

  // ---- templates, versions, prompt reviews ----------------------------------------------

  /**
   * Whether each workspace gets Loop's default prompt templates (signal-triage,
   * hypothesis-planning, plan-decomposition, task-execution, monitor-check: one per issue type)
   * the first time it lists, creates or renders templates. Once per workspace: a default it
   * deletes stays deleted. Off: a workspace starts with no templates (dispatch then hands
   * out issues without a prompt until it makes some).
   */
  @JsonProperty public boolean defaultTemplates = true;

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
