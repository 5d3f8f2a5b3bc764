package dev.interlock.server.service.engine;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.engine.IssueDao;
import org.jdbi.v3.core.Jdbi;

/**
 * A plain prompt from the issue itself (type, number, title, description), with no template
 * and no version: what dispatch hands out when no template of the workspace applies to the
 * issue (or the chosen one fails to render); see {@link TemplatedDispatchPrompts}. Holds no
 * credential, by construction.
 */
public final class PlainDispatchPrompts implements DispatchPrompts {

  private final Jdbi jdbi;

  public PlainDispatchPrompts(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public Rendered render(String ownerId, String issueId) {
    IssueRow issue = jdbi.withExtension(IssueDao.class, dao -> dao.find(ownerId, issueId))
        .orElseThrow(() -> new NotFound("Issue not found"));
    StringBuilder prompt = new StringBuilder()
        .append("You are working on ").append(issue.type()).append(" #").append(issue.number())
        .append(": ").append(issue.title()).append("\n");
    if (issue.description() != null && !issue.description().isBlank()) {
      prompt.append("\n").append(issue.description().strip()).append("\n");
    }
    prompt.append("\nWhen you are done, set the issue's status to done. While you work, update"
        + " the issue or comment on it (or call loop_heartbeat) so that your claim does not"
        + " lapse.\n");
    return Rendered.untemplated(prompt.toString());
  }
}
