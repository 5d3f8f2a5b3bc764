package dev.interlock.server.service.engine;

import java.util.List;

/**
 * The templates Loop ships: one per issue type, whose only condition is that type (so each is
 * the fallback for its type: it serves every issue of the type that no more specific
 * template claims). Their text is Interlock's own ({@code engine/templates/<slug>.hbs}); like
 * every prompt, they carry no credential: the agent authenticates with the key in its
 * environment.
 */
final class DefaultTemplates {

  /** One default: the issue type it serves and how it is listed. */
  record Default(String type, String slug, String name, String description) {

    String content() {
      return PromptRenderer.resource("engine/templates/" + slug + ".hbs");
    }
  }

  /** Loop's own default specificity. */
  static final int SPECIFICITY = 10;
  static final String AUTHOR = "system";
  static final String CHANGELOG = "Loop's default template";

  static final List<Default> ALL = List.of(
      new Default("signal", "signal-triage", "Signal Triage",
          "Default template for triaging a signal: is it actionable, and if so, which"
              + " hypothesis explains it."),
      new Default("hypothesis", "hypothesis-planning", "Hypothesis Planning",
          "Default template for planning how to validate a hypothesis, as ordered tasks."),
      new Default("plan", "plan-decomposition", "Plan Decomposition",
          "Default template for breaking a plan into ordered, prioritised tasks."),
      new Default("task", "task-execution", "Task Execution",
          "Default template for doing a task and reporting what changed."),
      new Default("monitor", "monitor-check", "Monitor Check",
          "Default template for a monitoring check that reports crossed thresholds as"
              + " signals."));

  private DefaultTemplates() {}
}
