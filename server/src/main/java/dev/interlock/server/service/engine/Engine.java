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
    PromptRenderer renderer = new PromptRenderer(json);
    this.templates = new TemplateService(jdbi, json, renderer, config.defaultTemplates);
    this.promptReviews = new PromptReviewService(jdbi);
    this.prompts = new PromptBuilder(jdbi, json, templates, renderer);
  }

  public EngineConfig config() {
    return config;
  }

  // ---- issues, relations, comments, labels, projects, goals ------------------------------

  // ---- signals and provider webhooks -----------------------------------------------------

  // ---- templates, versions, prompt reviews -----------------------------------------------

  private final TemplateService templates;
  private final PromptReviewService promptReviews;
  private final PromptBuilder prompts;

  /** Prompt templates and their versions (and Loop's defaults, per workspace). */
  public TemplateService templates() {
    return templates;
  }

  /** Reviews of prompt versions: the EWMA score and the improvement issue. */
  public PromptReviewService promptReviews() {
    return promptReviews;
  }

  /** The prompt an issue gets (dispatch and the preview); never holds a credential. */
  public PromptBuilder prompts() {
    return prompts;
  }

  // ---- dispatch and leases ---------------------------------------------------------------
}
