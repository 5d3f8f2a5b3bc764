package dev.interlock.server.service.engine;

/**
 * Something happened to an issue that whoever holds it may care about: dispatch listens to
 * heartbeat and complete its leases, the approval gate to ask a person about a new issue.
 * Registered with {@link Engine#onIssueActivity}; called by {@link IssueService} after the
 * change is committed, on the caller's thread. A listener that throws is logged and the
 * others still hear it; the change stands either way.
 */
@FunctionalInterface
public interface IssueActivity {

  /**
   * @param ownerId the issue's workspace
   * @param how what happened: {@code created}; {@code patch} (any PATCH, even one that changes
   *     nothing: an agent's sign of life), followed by {@code status:<new status>} when the
   *     PATCH changed the status (e.g. {@code status:done}); {@code comment} (a comment was
   *     added); {@code deleted} (soft-deleted)
   */
  void touched(String ownerId, String issueId, String how);
}
