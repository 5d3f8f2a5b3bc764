package dev.interlock.store.engine;

import dev.interlock.model.engine.IssueRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Loop's issues: the core every part of the engine shares (creating one with the next number
 * of its workspace, reading one), listing with filters, partial updates, soft deletion, and
 * the issues around one (parent, children, siblings, blockers) that prompts are built from.
 * "Live" means not soft-deleted.
 */
@RegisterConstructorMapper(IssueRow.class)
public interface IssueDao {

  String COLUMNS = "id, owner_id, number, title, description, type, status, priority, parent_id,"
      + " project_id, signal_source, signal_payload, hypothesis, agent_session_id, agent_summary,"
      + " commits, pull_requests, requires_approval, approval_interrupt_id, completed_at,"
      + " created_at, updated_at, deleted_at";

  /** The fields a new issue is made of; JSON fields as JSON text (or null). */
  record NewIssue(String id, String ownerId, String title, String description, String type,
      String status, int priority, String parentId, String projectId, String signalSource,
      String signalPayloadJson, String hypothesisJson, boolean requiresApproval) {}

  /**
   * The next issue number of the workspace; the counter's row lock serialises numbering, so
   * call it in the transaction that inserts the issue.
   */
  @SqlQuery("""
      insert into engine_counters (owner_id, next_issue) values (:ownerId, 1)
      on conflict (owner_id) do update set next_issue = engine_counters.next_issue + 1
      returning next_issue""")
  int nextNumber(@Bind("ownerId") String ownerId);

  @SqlQuery("""
      insert into engine_issues (id, owner_id, number, title, description, type, status, priority,
                                 parent_id, project_id, signal_source, signal_payload, hypothesis,
                                 requires_approval)
      values (:i.id, :i.ownerId, :number, :i.title, :i.description, :i.type, :i.status,
              :i.priority, :i.parentId, :i.projectId, :i.signalSource,
              cast(:i.signalPayloadJson as jsonb), cast(:i.hypothesisJson as jsonb),
              :i.requiresApproval)
      returning\s""" + COLUMNS)
  IssueRow insertNumbered(@BindMethods("i") NewIssue issue,
      @Bind("number") int number);

  /** A new issue with the workspace's next number (its own transaction, or the caller's). */
  @Transaction
  default IssueRow insert(NewIssue issue) {
    return insertNumbered(issue, nextNumber(issue.ownerId()));
  }

  /** An issue of the workspace, deleted ones included (the caller decides what they mean). */
  @SqlQuery("select " + COLUMNS + " from engine_issues where owner_id = :ownerId and id = :id")
  Optional<IssueRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** For the worker and the lease, which act for no caller. */
  @SqlQuery("select " + COLUMNS + " from engine_issues where id = :id")
  Optional<IssueRow> byId(@Bind("id") String id);

  @SqlUpdate("""
      update engine_issues set status = :status, updated_at = now(),
             completed_at = case when :status = 'done' then coalesce(completed_at, now())
                                 else completed_at end
       where id = :id""")
  int setStatus(@Bind("id") String id, @Bind("status") String status);

  // ---- issues, relations, comments, labels, projects, goals ------------------------------

  /**
   * What a list of issues is narrowed to; a null field (or array) does not narrow it. Arrays
   * match any of their values.
   */
  record IssueFilter(String[] statuses, String[] types, String projectId, String labelId,
      Integer priority, String parentId) {}

  String FILTERED = """
       from engine_issues i
      where i.owner_id = :ownerId and i.deleted_at is null
        and (cast(:f.statuses as text[]) is null or i.status = any(cast(:f.statuses as text[])))
        and (cast(:f.types as text[]) is null or i.type = any(cast(:f.types as text[])))
        and (cast(:f.projectId as text) is null or i.project_id = :f.projectId)
        and (cast(:f.parentId as text) is null or i.parent_id = :f.parentId)
        and (cast(:f.priority as integer) is null or i.priority = :f.priority)
        and (cast(:f.labelId as text) is null or exists (
              select 1 from engine_issue_labels il
                join engine_labels l on l.id = il.label_id and l.deleted_at is null
               where il.issue_id = i.id and il.label_id = :f.labelId))
      """;

  /** Live issues of the workspace matching the filter, newest first. */
  @SqlQuery("select " + COLUMNS + FILTERED
      + " order by i.created_at desc, i.number desc limit :limit offset :offset")
  List<IssueRow> page(@Bind("ownerId") String ownerId, @BindMethods("f") IssueFilter filter,
      @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("select count(*)" + FILTERED)
  long count(@Bind("ownerId") String ownerId, @BindMethods("f") IssueFilter filter);

  /** A live issue of the workspace. */
  @SqlQuery("select " + COLUMNS
      + " from engine_issues where owner_id = :ownerId and id = :id and deleted_at is null")
  Optional<IssueRow> findLive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** A live issue of the workspace, its row locked until the transaction ends. */
  @SqlQuery("select " + COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and id = :id and deleted_at is null for update")
  Optional<IssueRow> lockLive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Every field an update may change, with JSON fields as JSON text (or null). */
  record IssueUpdate(String id, String ownerId, String title, String description, String type,
      String status, int priority, String parentId, String projectId, String signalSource,
      String signalPayloadJson, String hypothesisJson, String agentSessionId,
      String agentSummary, String commitsJson, String pullRequestsJson) {}

  /**
   * Writes every field of {@code u}; {@code completed_at} is set when the issue becomes
   * {@code done} (kept while it stays done) and cleared when it leaves {@code done}.
   */
  @SqlQuery("""
      update engine_issues
         set title = :u.title, description = :u.description, type = :u.type,
             status = :u.status, priority = :u.priority, parent_id = :u.parentId,
             project_id = :u.projectId, signal_source = :u.signalSource,
             signal_payload = cast(:u.signalPayloadJson as jsonb),
             hypothesis = cast(:u.hypothesisJson as jsonb),
             agent_session_id = :u.agentSessionId, agent_summary = :u.agentSummary,
             commits = cast(:u.commitsJson as jsonb),
             pull_requests = cast(:u.pullRequestsJson as jsonb),
             completed_at = case when :u.status = 'done' then coalesce(completed_at, now())
                                 else null end,
             updated_at = now()
       where owner_id = :u.ownerId and id = :u.id
      returning\s""" + COLUMNS)
  IssueRow update(@BindMethods("u") IssueUpdate u);

  /** Marks a live issue deleted; 0 when there was none. */
  @SqlUpdate("""
      update engine_issues set deleted_at = now(), updated_at = now()
       where owner_id = :ownerId and id = :id and deleted_at is null""")
  int softDelete(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** The live children of an issue, by number. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_issues
      where owner_id = :ownerId and parent_id = :parentId and deleted_at is null
      order by number""")
  List<IssueRow> children(@Bind("ownerId") String ownerId, @Bind("parentId") String parentId);

  /** The live issues that share {@code parentId} with {@code issueId}, by number. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_issues
      where owner_id = :ownerId and parent_id = :parentId and id <> :issueId
        and deleted_at is null
      order by number""")
  List<IssueRow> siblings(@Bind("ownerId") String ownerId, @Bind("parentId") String parentId,
      @Bind("issueId") String issueId);

  @SqlQuery("""
      select exists (select 1 from engine_issues
                      where parent_id = :id and deleted_at is null)""")
  boolean hasLiveChildren(@Bind("id") String id);

  /**
   * The live issues {@code issueId} has a relation of {@code type} to (its own side of the
   * pair: {@code blocked_by} gives its blockers, {@code blocks} the issues it blocks), by
   * number.
   */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_issues
      where owner_id = :ownerId and deleted_at is null
        and id in (select related_issue_id from engine_relations
                    where issue_id = :issueId and type = :type)
      order by number""")
  List<IssueRow> related(@Bind("ownerId") String ownerId, @Bind("issueId") String issueId,
      @Bind("type") String type);

  /**
   * An issue's unresolved blockers: the issues it is {@code blocked_by} that are live and
   * neither {@code done} nor {@code canceled}.
   */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_issues b
      where b.owner_id = :ownerId and b.deleted_at is null
        and b.status not in ('done', 'canceled')
        and b.id in (select related_issue_id from engine_relations
                      where issue_id = :issueId and type = 'blocked_by')
      order by b.number""")
  List<IssueRow> unresolvedBlockers(@Bind("ownerId") String ownerId,
      @Bind("issueId") String issueId);

  /**
   * The issues {@code issueId} blocks that are open (live, neither done nor canceled) and
   * now have no unresolved blocker: what finishing {@code issueId} released.
   */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_issues i
      where i.owner_id = :ownerId and i.deleted_at is null
        and i.status not in ('done', 'canceled')
        and i.id in (select related_issue_id from engine_relations
                      where issue_id = :issueId and type = 'blocks')
        and not""" + " " + UNRESOLVED_BLOCKER_OF_I + """
      order by i.number""")
  List<IssueRow> unblockedBy(@Bind("ownerId") String ownerId, @Bind("issueId") String issueId);

  /**
   * The one rule for "blocked": SQL that is true when the issue aliased {@code i} has an
   * unresolved blocker (a {@code blocked_by} relation to a live issue that is neither
   * {@code done} nor {@code canceled}). Relations are stored with their inverse, so a
   * {@code blocks} A→B made through the API is also a {@code blocked_by} B→A row and this one
   * lookup (by {@code engine_relations}' unique index on issue_id) sees it. Dispatch embeds it
   * as {@code and not} + this, with its issues aliased {@code i}.
   */
  String UNRESOLVED_BLOCKER_OF_I = """
      exists (select 1 from engine_relations r
                join engine_issues blocker on blocker.id = r.related_issue_id
               where r.issue_id = i.id and r.type = 'blocked_by'
                 and blocker.deleted_at is null
                 and blocker.status not in ('done', 'canceled'))
      """;
}
