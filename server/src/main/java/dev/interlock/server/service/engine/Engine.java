package dev.interlock.server.service.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.config.EngineConfig;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * Loop, the improvement engine, as the core serves it: issues and what organises them
 * (relations, comments, labels, projects, goals), signals, prompt templates and their
 * reviews, and dispatch with its leases. One object per server; the Loop dialect's
 * resources and tools, and the dashboard, work through its services.
 */
public final class Engine {

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final Clock clock;
  private final EngineConfig config;

  public Engine(Jdbi jdbi, ObjectMapper json, Clock clock, EngineConfig config) {
    this.jdbi = jdbi;
    this.json = json;
    this.clock = clock;
    this.config = config;
    this.signals = new SignalService(jdbi, json);
    this.webhooks = new ProviderWebhooks(signals, config);
    this.dashboard = new DashboardService(jdbi);
  }

  public EngineConfig config() {
    return config;
  }

  // ---- issues, relations, comments, labels, projects, goals ------------------------------

  // ---- signals and provider webhooks -----------------------------------------------------

  private final SignalService signals;
  private final ProviderWebhooks webhooks;
  private final DashboardService dashboard;

  /** {@code POST /api/signals}: a signal and its triage issue, in one transaction. */
  public SignalService signals() {
    return signals;
  }

  /** GitHub's, Sentry's and PostHog's webhooks, verified, as signals of the webhook workspace. */
  public ProviderWebhooks webhooks() {
    return webhooks;
  }

  /** The dashboard's stats, activity chains and prompt health. */
  public DashboardService dashboard() {
    return dashboard;
  }

  // ---- templates, versions, prompt reviews -----------------------------------------------

  // ---- dispatch and leases ---------------------------------------------------------------
}
