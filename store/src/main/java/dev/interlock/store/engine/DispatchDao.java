package dev.interlock.store.engine;

import dev.interlock.model.engine.ApprovalDecision;
import dev.interlock.model.engine.DispatchRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.ScoredIssue;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Loop's dispatch: the queue of issues an agent may claim, scored; claims and their leases
 * ({@code engine_dispatches}); and the approval gate that keeps an issue out of the queue
 * until a person approves it.
 *
 * <p>An issue is in the queue when it is {@code todo}, not deleted, not waiting for approval,
 * and has no unresolved blocker: no {@code blocked_by} relation from it to an issue that is
 * not done, canceled or deleted, and no {@code blocks} relation to it from such an issue.
 */
@RegisterConstructorMapper(IssueRow.class)
@RegisterConstructorMapper(DispatchRow.class)
@RegisterConstructorMapper(ApprovalDecision.class)
@RegisterRowMapper(ScoredIssueMapper.class)
public interface DispatchDao {

  String DISPATCH_COLUMNS = "id, owner_id, issue_id, version_id, claimed_by, key_id, claimed_at,"
      + " lease_until, heartbeat_at, ended_at, outcome";

  /** Whether issue {@code b} still blocks: it exists, is not deleted, done or canceled. */
  String UNRESOLVED = "b.deleted_at is null and b.status not in ('done', 'canceled')";

  /** The queue of a workspace (issue alias {@code i}), optionally one project's. */
  String QUEUED = """
      i.owner_id = :ownerId and i.status = 'todo' and i.deleted_at is null
        and not i.requires_approval
        and (cast(:projectId as text) is null or i.project_id = :projectId)
        and not exists (select 1 from engine_relations r
                          join engine_issues b on b.id = r.related_issue_id
                         where r.issue_id = i.id and r.type = 'blocked_by' and\s""" + UNRESOLVED + """
      )
        and not exists (select 1 from engine_relations r
                          join engine_issues b on b.id = r.issue_id
                         where r.related_issue_id = i.id and r.type = 'blocks' and\s""" + UNRESOLVED
      + ")";

  /**
   * The score's parts, per issue {@code i}: priority weight (1→100, 2→75, 3→50, 4→25, else
   * 10), 20 if its project (not deleted) has an active goal (linked either way: the
   * project's {@code goal_id} or the goal's {@code project_id}), its age in whole days, and
   * the type bonus (signal 50, hypothesis 40, plan 30, task 20, monitor 10).
   */
  String SCORE = """
      cross join lateral (
        select case i.priority when 1 then 100 when 2 then 75 when 3 then 50 when 4 then 25
                               else 10 end as priority_weight,
               case when exists (
                      select 1 from engine_projects p
                        join engine_goals g on g.id = p.goal_id or g.project_id = p.id
                       where p.id = i.project_id and p.deleted_at is null
                         and g.deleted_at is null and g.status = 'active')
                    then 20 else 0 end as goal_bonus,
               greatest(0, floor(extract(epoch from (now() - i.created_at)) / 86400))::int
                 as age_bonus,
               case i.type when 'signal' then 50 when 'hypothesis' then 40 when 'plan' then 30
                           when 'task' then 20 when 'monitor' then 10 else 0 end as type_bonus
      ) s""";

  /** Best first; equal scores: the older issue first, then the lower number. */
  String ORDER = " order by (s.priority_weight + s.goal_bonus + s.age_bonus + s.type_bonus) desc,"
      + " i.created_at, i.number";

  String SCORED_COLUMNS = IssueDao.COLUMNS
      + ", s.priority_weight, s.goal_bonus, s.age_bonus, s.type_bonus";

  // ---- the queue and claims ------------------------------------------------------------

  /**
   * The best issue of the queue, locked for this transaction; issues other transactions hold
   * are skipped, so concurrent claims never wait for each other and never take the same one.
   */
  @SqlQuery("select " + SCORED_COLUMNS + " from engine_issues i " + SCORE + " where " + QUEUED
      + ORDER + " limit 1 for update of i skip locked")
  Optional<ScoredIssue> lockBest(@Bind("ownerId") String ownerId,
      @Bind("projectId") String projectId);

  /** One page of the queue, sorted as a claim would take it (sorted before paging). */
  @SqlQuery("select " + SCORED_COLUMNS + " from engine_issues i " + SCORE + " where " + QUEUED
      + ORDER + " limit :limit offset :offset")
  List<ScoredIssue> queue(@Bind("ownerId") String ownerId, @Bind("projectId") String projectId,
      @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_issues i where " + QUEUED)
  long queueSize(@Bind("ownerId") String ownerId, @Bind("projectId") String projectId);

  @SqlQuery("update engine_issues set status = 'in_progress', updated_at = now() where id = :id"
      + " returning " + IssueDao.COLUMNS)
  IssueRow markClaimed(@Bind("id") String issueId);

  /**
   * Ends any claim of the issue still open (as {@code released}); a claim is only ever open
   * while its issue is in progress, so this finds one only if the issue left
   * {@code in_progress} without its lease being told. Returns the ids it ended.
   */
  @SqlQuery("""
      update engine_dispatches set ended_at = now(), outcome = 'released'
       where issue_id = :issueId and ended_at is null
      returning id""")
  List<String> releaseOpen(@Bind("issueId") String issueId);

  @SqlQuery("""
      insert into engine_dispatches (id, owner_id, issue_id, claimed_by, claimed_at, lease_until)
      values (:id, :ownerId, :issueId, :claimedBy, now(),
              now() + :leaseMillis * interval '1 millisecond')
      returning\s""" + DISPATCH_COLUMNS)
  DispatchRow insert(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("issueId") String issueId, @Bind("claimedBy") String claimedBy,
      @Bind("leaseMillis") long leaseMillis);

  @SqlUpdate("update engine_dispatches set version_id = :versionId where id = :id")
  int setVersion(@Bind("id") String id, @Bind("versionId") String versionId);

  // ---- leases --------------------------------------------------------------------------

  @SqlQuery("select " + DISPATCH_COLUMNS + " from engine_dispatches"
      + " where owner_id = :ownerId and issue_id = :issueId and ended_at is null")
  Optional<DispatchRow> openOf(@Bind("ownerId") String ownerId, @Bind("issueId") String issueId);

  /** Every lease still held (to re-create their workflows on an empty Temporal). */
  @SqlQuery("select " + DISPATCH_COLUMNS + " from engine_dispatches where ended_at is null"
      + " order by lease_until")
  List<DispatchRow> allOpen();

  /**
   * The leases one workspace holds now, the soonest to lapse first (a page of them for the
   * dashboard; {@link #allOpen} is every workspace's, for recovery only).
   */
  @SqlQuery("select " + DISPATCH_COLUMNS + " from engine_dispatches"
      + " where owner_id = :ownerId and ended_at is null order by lease_until, id"
      + " limit :limit offset :offset")
  List<DispatchRow> openOfOwner(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_dispatches where owner_id = :ownerId"
      + " and ended_at is null")
  long countOpenOfOwner(@Bind("ownerId") String ownerId);

  /** A sign of life: the lease runs its full length again from now (if still held). */
  @SqlQuery("""
      update engine_dispatches
         set heartbeat_at = now(), lease_until = now() + :leaseMillis * interval '1 millisecond'
       where id = :id and ended_at is null
      returning\s""" + DISPATCH_COLUMNS)
  Optional<DispatchRow> heartbeat(@Bind("id") String id, @Bind("leaseMillis") long leaseMillis);

  /** Ends a held lease with {@code outcome}; empty if it had ended already. */
  @SqlQuery("""
      update engine_dispatches set ended_at = now(), outcome = :outcome
       where id = :id and ended_at is null
      returning\s""" + DISPATCH_COLUMNS)
  Optional<DispatchRow> end(@Bind("id") String id, @Bind("outcome") String outcome);

  /**
   * Recomputes a template version's dispatch outcomes from its ended claims:
   * {@code completion_rate} (completed / ended, whatever ended them) and
   * {@code avg_duration_ms} (claim to completion, completed claims only). Call it in the
   * transaction that ended a claim, after ending it: the version row is locked first, so of
   * two claims ending at once the later one's recount sees both.
   */
  default void recountVersion(String versionId) {
    if (versionId != null && lockVersion(versionId).isPresent()) {
      recount(versionId);
    }
  }

  @SqlQuery("select id from engine_template_versions where id = :id for update")
  Optional<String> lockVersion(@Bind("id") String id);

  @SqlUpdate("""
      update engine_template_versions v
         set completion_rate = s.rate, avg_duration_ms = s.avg_ms
        from (select count(*) filter (where outcome = 'completed')::double precision
                       / nullif(count(*), 0) as rate,
                     avg(extract(epoch from ended_at - claimed_at) * 1000)
                       filter (where outcome = 'completed') as avg_ms
                from engine_dispatches
               where version_id = :id and ended_at is not null) s
       where v.id = :id""")
  void recount(@Bind("id") String id);

  /**
   * Locks a held lease for this transaction and answers how many milliseconds are left of
   * it by the store's clock (0 or less: it has run out); empty if it ended or never was.
   */
  @SqlQuery("""
      select ceil(extract(epoch from (lease_until - now())) * 1000)::bigint
        from engine_dispatches where id = :id and ended_at is null for update""")
  Optional<Long> lockHeld(@Bind("id") String id);

  @SqlQuery("select " + DISPATCH_COLUMNS + " from engine_dispatches where id = :id")
  Optional<DispatchRow> byId(@Bind("id") String id);

  /** A lapsed claim's issue goes back to the queue, if nothing else moved it meanwhile. */
  @SqlUpdate("""
      update engine_issues set status = 'todo', updated_at = now()
       where id = :issueId and status = 'in_progress' and deleted_at is null""")
  int returnToQueue(@Bind("issueId") String issueId);

  /**
   * The issues that {@code issueId} was blocking and that nothing else blocks now (not
   * done, canceled or deleted themselves), by number: what completing it unblocks.
   */
  @SqlQuery("""
      select x.id from engine_issues x
       where x.deleted_at is null and x.status not in ('done', 'canceled')
         and (exists (select 1 from engine_relations r
                       where r.type = 'blocked_by' and r.issue_id = x.id
                         and r.related_issue_id = :issueId)
              or exists (select 1 from engine_relations r
                          where r.type = 'blocks' and r.issue_id = :issueId
                            and r.related_issue_id = x.id))
         and not exists (select 1 from engine_relations r
                           join engine_issues b on b.id = r.related_issue_id
                          where r.issue_id = x.id and r.type = 'blocked_by'
                            and b.id <> :issueId and\s""" + UNRESOLVED + """
      )
         and not exists (select 1 from engine_relations r
                           join engine_issues b on b.id = r.issue_id
                          where r.related_issue_id = x.id and r.type = 'blocks'
                            and b.id <> :issueId and\s""" + UNRESOLVED + """
      )
       order by x.number""")
  List<String> unblockedBy(@Bind("issueId") String issueId);

  /**
   * A comment written by Interlock itself (a lapsed lease, a rejected approval); Loop's
   * comments have only {@code human} and {@code agent} authors.
   */
  @SqlUpdate("""
      insert into engine_comments (id, owner_id, issue_id, body, author_name, author_type)
      values (:id, :ownerId, :issueId, :body, :authorName, :authorType)""")
  int comment(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("issueId") String issueId, @Bind("body") String body,
      @Bind("authorName") String authorName, @Bind("authorType") String authorType);

  // ---- the approval gate ---------------------------------------------------------------

  /** The issue waits for a person: dispatch skips it until the interrupt is approved. */
  @SqlQuery("""
      update engine_issues
         set requires_approval = true, approval_interrupt_id = :interruptId, updated_at = now()
       where id = :id
      returning\s""" + IssueDao.COLUMNS)
  IssueRow awaitApproval(@Bind("id") String issueId, @Bind("interruptId") String interruptId);

  /**
   * The workspace's issues that wait for a person's approval (kept out of the queue), the
   * oldest first; done and canceled ones wait for nothing.
   */
  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and requires_approval and deleted_at is null"
      + " and status not in ('done', 'canceled') order by created_at, number"
      + " limit :limit offset :offset")
  List<IssueRow> awaitingApproval(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_issues where owner_id = :ownerId"
      + " and requires_approval and deleted_at is null and status not in ('done', 'canceled')")
  long countAwaitingApproval(@Bind("ownerId") String ownerId);

  /**
   * Decided requests for approval not yet applied to their issues: those of one interrupt,
   * or (null) of all.
   */
  @SqlQuery("""
      select i.id as issue_id, i.owner_id, t.id::text as interrupt_id, t.status, t.reason,
             t.decided_by
        from engine_issues i
        join interrupts t on t.id::text = i.approval_interrupt_id
       where i.requires_approval and i.deleted_at is null
         and t.status in ('approved', 'rejected')
         and (cast(:interruptId as text) is null or i.approval_interrupt_id = :interruptId)""")
  List<ApprovalDecision> undoneDecisions(@Bind("interruptId") String interruptId);

  /** Approved: out of the gate and into the queue ({@code todo}) unless it moved on. */
  @SqlUpdate("""
      update engine_issues
         set requires_approval = false, updated_at = now(),
             status = case when status in ('triage', 'backlog', 'todo') then 'todo'
                           else status end
       where id = :id and approval_interrupt_id = :interruptId and requires_approval""")
  int approve(@Bind("id") String issueId, @Bind("interruptId") String interruptId);

  /**
   * Rejected: canceled. The interrupt is let go of, so that an issue reopened later waits
   * for a new approval rather than being canceled again by the old rejection.
   */
  @SqlUpdate("""
      update engine_issues
         set approval_interrupt_id = null, updated_at = now(),
             status = case when status = 'done' then status else 'canceled' end
       where id = :id and approval_interrupt_id = :interruptId and requires_approval""")
  int reject(@Bind("id") String issueId, @Bind("interruptId") String interruptId);
}
