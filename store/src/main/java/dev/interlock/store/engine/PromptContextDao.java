package dev.interlock.store.engine;

import dev.interlock.model.engine.IssueRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What a prompt is hydrated with, read-only: an issue's family (parent, siblings, children),
 * project and goal, labels, blockers and the sessions agents had on it before. Every query
 * stays inside the issue's workspace and skips deleted rows. Families and lists are capped
 * so that one prompt stays a prompt ({@link #FAMILY_LIMIT}, {@link #SESSION_LIMIT}).
 *
 * <p>Its small records are this DAO's own (the organising areas have their own models); they
 * carry only what a prompt may show.
 */
@RegisterConstructorMapper(IssueRow.class)
@RegisterConstructorMapper(PromptContextDao.Project.class)
@RegisterConstructorMapper(PromptContextDao.Goal.class)
@RegisterConstructorMapper(PromptContextDao.Label.class)
@RegisterConstructorMapper(PromptContextDao.Session.class)
public interface PromptContextDao {

  int FAMILY_LIMIT = 50;
  int SESSION_LIMIT = 10;

  record Project(String id, String name, String description, String status, String health,
      String goalId) {}

  record Goal(String id, String title, String description, String metric, Double targetValue,
      Double currentValue, String unit, String status) {}

  record Label(String id, String name, String color) {}

  /** A claim of the issue that has ended: {@code outcome} completed, lapsed, released, canceled. */
  record Session(String id, String outcome, Instant claimedAt, Instant endedAt) {}

  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and id = :id and deleted_at is null")
  Optional<IssueRow> issue(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** The other children of the issue's parent, by number. */
  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and parent_id = :parentId and id <> :id"
      + " and deleted_at is null order by number limit " + FAMILY_LIMIT)
  List<IssueRow> siblings(@Bind("ownerId") String ownerId, @Bind("parentId") String parentId,
      @Bind("id") String id);

  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and parent_id = :id and deleted_at is null"
      + " order by number limit " + FAMILY_LIMIT)
  List<IssueRow> children(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /**
   * The issues that block this one, whichever side the relation was written from
   * ({@code this blocked_by other}, or {@code other blocks this}); done ones too.
   */
  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and deleted_at is null and id in ("
      + " select related_issue_id from engine_relations"
      + "  where owner_id = :ownerId and issue_id = :id and type = 'blocked_by'"
      + " union select issue_id from engine_relations"
      + "  where owner_id = :ownerId and related_issue_id = :id and type = 'blocks')"
      + " order by number limit " + FAMILY_LIMIT)
  List<IssueRow> blockedBy(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** The issues this one blocks, whichever side the relation was written from. */
  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and deleted_at is null and id in ("
      + " select related_issue_id from engine_relations"
      + "  where owner_id = :ownerId and issue_id = :id and type = 'blocks'"
      + " union select issue_id from engine_relations"
      + "  where owner_id = :ownerId and related_issue_id = :id and type = 'blocked_by')"
      + " order by number limit " + FAMILY_LIMIT)
  List<IssueRow> blocking(@Bind("ownerId") String ownerId, @Bind("id") String id);

  @SqlQuery("select id, name, description, status, health, goal_id from engine_projects"
      + " where owner_id = :ownerId and id = :id and deleted_at is null")
  Optional<Project> project(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /**
   * The project's goal: the one the project names, else a goal linked to the project (an
   * active one first, then the oldest).
   */
  @SqlQuery("""
      select id, title, description, metric, target_value, current_value, unit, status
        from engine_goals
       where owner_id = :ownerId and deleted_at is null
         and (id = :goalId or project_id = :projectId)
       order by coalesce(id = :goalId, false) desc, (status = 'active') desc, created_at, id
       limit 1""")
  Optional<Goal> goal(@Bind("ownerId") String ownerId, @Bind("projectId") String projectId,
      @Bind("goalId") String goalId);

  @SqlQuery("""
      select l.id, l.name, l.color
        from engine_issue_labels il join engine_labels l on l.id = il.label_id
       where il.issue_id = :id and l.owner_id = :ownerId and l.deleted_at is null
       order by lower(l.name)""")
  List<Label> labels(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Ended claims of the issue, most recent first. */
  @SqlQuery("select id, outcome, claimed_at, ended_at from engine_dispatches"
      + " where owner_id = :ownerId and issue_id = :id and ended_at is not null"
      + " order by claimed_at desc, id limit " + SESSION_LIMIT)
  List<Session> sessions(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Whether an agent had the issue before and did not complete it (lapsed, released, ...). */
  @SqlQuery("select exists (select 1 from engine_dispatches where owner_id = :ownerId"
      + " and issue_id = :id and ended_at is not null"
      + " and outcome is distinct from 'completed')")
  boolean hasFailedSessions(@Bind("ownerId") String ownerId, @Bind("id") String id);
}
