package dev.interlock.server;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.store.engine.IssueDao;
import java.util.Set;
import java.util.UUID;

/**
 * Loop issues, relations, projects and goals for dispatch tests, written straight into the
 * store (the routes that make them belong to other parts of the engine), each test in a
 * workspace of its own so that its queue holds only its issues.
 */
final class DispatchFixtures {

  static final Set<String> LOOP_SCOPES = Set.of("loop:read", "loop:write");

  private final TestApp app;
  final String ownerId;
  /** A key of the workspace with Loop's scopes and the interrupts' (for LoopIn's door). */
  final String key;

  DispatchFixtures(TestApp app) {
    this.app = app;
    this.ownerId = "ws-dispatch-" + UUID.randomUUID();
    this.key = app.keyFor(ownerId, Set.of("loop:read", "loop:write", "request:create",
        "request:read", "request:decide"));
  }

  IssueRow issue(String title, String type, int priority) {
    return issue(title, type, priority, "todo", null);
  }

  IssueRow issue(String title, String type, int priority, String status, String projectId) {
    return app.jdbi().withExtension(IssueDao.class, dao -> dao.insert(new IssueDao.NewIssue(
        "iss_" + UUID.randomUUID(), ownerId, title, "About " + title, type, status, priority,
        null, projectId, null, null, null, false)));
  }

  /** Makes the issue {@code days} days old. */
  void age(IssueRow issue, int days) {
    app.jdbi().useHandle(h -> h.createUpdate(
        "update engine_issues set created_at = now() - make_interval(days => :days) where id = :id")
        .bind("days", days).bind("id", issue.id()).execute());
  }

  /** {@code from} {@code type} {@code to}: "A blocked_by B", "A blocks B". */
  void relate(IssueRow from, String type, IssueRow to) {
    app.jdbi().useHandle(h -> h.createUpdate("""
        insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)
        values (:id, :owner, :type, :from, :to)""")
        .bind("id", "rel_" + UUID.randomUUID()).bind("owner", ownerId).bind("type", type)
        .bind("from", from.id()).bind("to", to.id()).execute());
  }

  void status(IssueRow issue, String status) {
    app.jdbi().useExtension(IssueDao.class, dao -> dao.setStatus(issue.id(), status));
  }

  void delete(IssueRow issue) {
    app.jdbi().useHandle(h -> h.createUpdate(
        "update engine_issues set deleted_at = now() where id = :id").bind("id", issue.id())
        .execute());
  }

  IssueRow read(IssueRow issue) {
    return app.jdbi().withExtension(IssueDao.class, dao -> dao.byId(issue.id())).orElseThrow();
  }

  /**
   * A project; with {@code goalStatus} a goal linked to it (through the goal's
   * {@code project_id} or, with {@code viaProject}, the project's {@code goal_id}).
   */
  String project(String goalStatus, boolean viaProject) {
    String project = "proj_" + UUID.randomUUID();
    String goal = "goal_" + UUID.randomUUID();
    app.jdbi().useHandle(h -> {
      h.createUpdate("insert into engine_projects (id, owner_id, name, status)"
          + " values (:id, :owner, 'a project', 'active')")
          .bind("id", project).bind("owner", ownerId).execute();
      if (goalStatus != null) {
        h.createUpdate("insert into engine_goals (id, owner_id, title, status, project_id)"
            + " values (:id, :owner, 'a goal', :status, :project)")
            .bind("id", goal).bind("owner", ownerId).bind("status", goalStatus)
            .bind("project", viaProject ? null : project).execute();
        if (viaProject) {
          h.createUpdate("update engine_projects set goal_id = :goal where id = :id")
              .bind("goal", goal).bind("id", project).execute();
        }
      }
    });
    return project;
  }

  /** Rows of a table for an issue: comments (body, author_name, author_type), dispatches. */
  java.util.List<java.util.Map<String, Object>> comments(IssueRow issue) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select body, author_name, author_type from engine_comments where issue_id = :id"
            + " order by created_at").bind("id", issue.id()).mapToMap().list());
  }

  java.util.List<java.util.Map<String, Object>> dispatches(IssueRow issue) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select id, outcome, ended_at, heartbeat_at, lease_until from engine_dispatches"
            + " where issue_id = :id order by claimed_at").bind("id", issue.id()).mapToMap()
        .list());
  }
}
