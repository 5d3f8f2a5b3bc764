package dev.interlock.server.service.engine;

/**
 * The prompt a claimed issue is handed out with ({@code GET /api/dispatch/next}). Dispatch
 * calls it once per claim, after the claim is committed (the issue is {@code in_progress}).
 * An implementation that renders a template version counts the version's use itself.
 *
 * <p>A prompt never holds an API key or any other credential: the agent works with the key
 * it claimed with.
 */
public interface DispatchPrompts {

  /** The prompt for an issue of the workspace. */
  Rendered render(String ownerId, String issueId);

  /**
   * A rendered prompt and the template version it came from.
   *
   * @param prompt the prompt's text, or null if no template matched
   * @param templateSlug null when the prompt came from no template (likewise the others)
   */
  record Rendered(String prompt, String templateSlug, String templateId, String versionId,
      Integer versionNumber) {

    /** A prompt that no template version produced. */
    public static Rendered untemplated(String prompt) {
      return new Rendered(prompt, null, null, null, null);
    }
  }
}
