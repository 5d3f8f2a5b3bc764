package dev.interlock.server.service.engine;

import dev.interlock.server.metrics.InterlockMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.temporal.LeaseGateway;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  /**
   * @param dispatching what dispatch needs from outside the engine (Temporal for its leases,
   *     the core's interrupts for its approval gate)
   */
  public Engine(Jdbi jdbi, ObjectMapper json, Clock clock, EngineConfig config,
      Dispatching dispatching) {
    this.jdbi = jdbi;
    this.json = json;
    this.clock = clock;
    this.config = config;
    // ---- issues, relations, comments, labels, projects, goals ----
    this.issues = new IssueService(jdbi, json, this::issueTouched);
    this.labels = new LabelService(jdbi);
    this.projects = new ProjectService(jdbi);
    this.goals = new GoalService(jdbi);
    // ---- signals and provider webhooks ----
    this.signals = new SignalService(jdbi, json);
    this.webhooks = new ProviderWebhooks(signals, config);
    this.dashboard = new DashboardService(jdbi);
    // ---- templates, versions, prompt reviews ----
    PromptRenderer renderer = new PromptRenderer(json);
    this.templates = new TemplateService(jdbi, json, renderer, config.defaultTemplates);
    this.promptReviews = new PromptReviewService(jdbi);
    this.prompts = new PromptBuilder(jdbi, json, templates, renderer);
    // ---- dispatch and leases -------------------------------------------------------------
    this.dispatch = new DispatchService(jdbi, dispatching.leases(), dispatching.interrupts(),
        dispatching.transitions(),
        new TemplatedDispatchPrompts(prompts, new PlainDispatchPrompts(jdbi)), json, clock,
        config.dispatchLease.toJavaDuration(), dispatching.metrics());
    onIssueActivity(this::leaseHears);
  }

  /**
   * What an issue's activity means for its claim: an update or a comment is a sign of life
   * (the lease is extended); done completes the claim; canceled or deleted ends it as
   * canceled; any other move out of {@code in_progress} releases it.
   */
  private void leaseHears(String ownerId, String issueId, String how) {
    switch (how) {
      case "patch", "comment" -> dispatch.activity(ownerId, issueId, how);
      case "status:done" -> dispatch.complete(ownerId, issueId);
      case "status:canceled", "deleted" -> dispatch.release(ownerId, issueId, "canceled");
      case "status:in_progress", "created" -> { }
      default -> {
        if (how.startsWith("status:")) {
          dispatch.release(ownerId, issueId, "released");
        }
      }
    }
  }

  public EngineConfig config() {
    return config;
  }

  // ---- issues, relations, comments, labels, projects, goals ------------------------------

  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private final List<IssueActivity> issueActivity = new CopyOnWriteArrayList<>();
  private final IssueService issues;
  private final LabelService labels;
  private final ProjectService projects;
  private final GoalService goals;

  /** Issues with their relations, comments and labels; what prompts are hydrated from. */
  public IssueService issues() {
    return issues;
  }

  public LabelService labels() {
    return labels;
  }

  public ProjectService projects() {
    return projects;
  }

  public GoalService goals() {
    return goals;
  }

  /**
   * Adds a listener that hears each issue's activity (see {@link IssueActivity} for what);
   * listeners are called in the order they were added.
   */
  public void onIssueActivity(IssueActivity listener) {
    issueActivity.add(listener);
  }

  private void issueTouched(String ownerId, String issueId, String how) {
    for (IssueActivity listener : issueActivity) {
      try {
        listener.touched(ownerId, issueId, how);
      } catch (RuntimeException e) {
        log.warn("An issue activity listener failed on {} of {}", how, issueId, e);
      }
    }
  }

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

  /**
   * What dispatch is built on besides the store: the leases' gateway to Temporal, and the
   * core's interrupts (and their transition notifications) for the approval gate.
   */
  public record Dispatching(LeaseGateway leases, InterruptService interrupts,
      TransitionListener transitions, InterlockMetrics metrics) {}

  private final DispatchService dispatch;

  /** The queue, claims and their leases, and the approval gate. */
  public DispatchService dispatch() {
    return dispatch;
  }
}
