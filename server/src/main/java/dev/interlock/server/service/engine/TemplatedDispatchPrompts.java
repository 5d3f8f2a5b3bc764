package dev.interlock.server.service.engine;

/**
 * Dispatch's prompts from the template engine: the version {@link PromptBuilder} chooses for
 * the issue, rendered, and its use counted. When no template applies or the chosen version
 * fails to render, the plain prompt made from the issue itself ({@link PlainDispatchPrompts})
 * is handed out instead, with no template in its {@code meta}.
 */
final class TemplatedDispatchPrompts implements DispatchPrompts {

  private final PromptBuilder prompts;
  private final DispatchPrompts plain;

  TemplatedDispatchPrompts(PromptBuilder prompts, DispatchPrompts plain) {
    this.prompts = prompts;
    this.plain = plain;
  }

  @Override
  public Rendered render(String ownerId, String issueId) {
    Prompt prompt = prompts.build(ownerId, issueId);
    Prompt.Meta meta = prompt.meta();
    if (meta == null) {
      return plain.render(ownerId, issueId);
    }
    prompts.recordUsage(meta.versionId());
    return new Rendered(prompt.text(), meta.templateSlug(), meta.templateId(), meta.versionId(),
        meta.versionNumber());
  }
}
