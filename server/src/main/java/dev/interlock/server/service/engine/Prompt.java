package dev.interlock.server.service.engine;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;

/**
 * The prompt an issue gets: the template chosen for it, the version rendered, and the text.
 * {@code template} and {@code version} are null when no template applies; {@code text} is
 * null then, and also when the chosen version failed to render ({@code problem} says why).
 * It never contains a credential: see {@link PromptBuilder}.
 */
public record Prompt(IssueRow issue, TemplateRow template, TemplateVersionRow version,
    String text, String problem) {

  /** Where an agent sends its review of the prompt, as Loop's dispatch says it. */
  public static final String REVIEW_URL = "POST /api/prompt-reviews";

  /** Dispatch's {@code meta}: which template and version the prompt came from. */
  public record Meta(String templateSlug, String templateId, String versionId,
      int versionNumber, String reviewUrl) {}

  static Prompt none(IssueRow issue) {
    return new Prompt(issue, null, null, null, null);
  }

  /** Whether a template applied. */
  public boolean matched() {
    return template != null;
  }

  /** The {@code meta} of dispatch's answer, or null when there is no prompt text. */
  public Meta meta() {
    if (template == null || version == null || text == null) {
      return null;
    }
    return new Meta(template.slug(), template.id(), version.id(), version.version(), REVIEW_URL);
  }
}
