package dev.interlock.store;

import dev.interlock.model.InterruptRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.CountRow;
import dev.interlock.model.AuditEntryRow;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The colder interrupt queries: lists, analytics, audit, recovery. The per-request and
 * per-transition statements are in {@link InterruptSql} (fluent API; see why there).
 */
@RegisterConstructorMapper(InterruptRow.class)
@RegisterConstructorMapper(InterruptEventRow.class)
@RegisterConstructorMapper(CountRow.class)
@RegisterConstructorMapper(AuditEntryRow.class)
public interface InterruptDao {

  /**
   * Every column of {@code InterruptRow}. The approvals are aggregated from
   * {@code interrupt_approvals} (by primary key) only for interrupts that need more than one,
   * so reading any other interrupt costs nothing more. The subquery names the row's
   * {@code id} unqualified, so this list works on {@code interrupts} and on a CTE returning
   * its rows alike.
   */
  String COLUMNS =
      """
      id::text, owner_id, source, agent_id, user_id, action, context, params, urgency, status,
      decision, reason, modified_params, decided_by, command_id, created_at, expires_at, decided_at,
      callback_url, callback_state, idempotency_key, request_type, options, response, session_id,
      confirmed_at, confirm_result, decided_by_id, reviewers, required_approvals,
      case when required_approvals > 1 then
        (select json_agg(json_build_object('approverId', a.approver_id, 'approver', a.approver,
                                           'at', a.at) order by a.at, a.approver_id)
           from interrupt_approvals a where a.interrupt_id = id)
      end as approvals, assignee
      """;

  /** The optional filters of the owner-wide audit log (events {@code e} of interrupts {@code i}). */
  String AUDIT_FILTERS =
      """
         and (cast(:requestId as text) is null or e.interrupt_id = cast(:requestId as uuid))
         and (cast(:action as text) is null or i.action = :action)
         and (cast(:status as text) is null or i.status = :status)
         and (cast(:event as text) is null or e.event = :event)
         and (cast(:actor as text) is null or e.actor = :actor)
         and (cast(:from as timestamptz) is null or e.at >= :from)
         and (cast(:to as timestamptz) is null or e.at <= :to)
      """;

  /** AgentGate's list: optional filters, newest first, offset pagination. */
  @SqlQuery(
      "select " + COLUMNS
          + """
           from interrupts
          where owner_id = :ownerId
            and (cast(:status as text) is null or status = :status)
            and (cast(:action as text) is null or action = :action)
            and (cast(:urgency as text) is null or urgency = :urgency)
          order by created_at desc, id
          limit :limit offset :offset
          """)
  List<InterruptRow> list(@Bind("ownerId") String ownerId, @Bind("status") String status,
      @Bind("action") String action, @Bind("urgency") String urgency, @Bind("limit") int limit,
      @Bind("offset") int offset);

  /** How many interrupts {@link #list} has in all pages. */
  @SqlQuery(
      """
      select count(*) from interrupts
       where owner_id = :ownerId
         and (cast(:status as text) is null or status = :status)
         and (cast(:action as text) is null or action = :action)
         and (cast(:urgency as text) is null or urgency = :urgency)
      """)
  long count(@Bind("ownerId") String ownerId, @Bind("status") String status,
      @Bind("action") String action, @Bind("urgency") String urgency);

  @SqlQuery(
      """
      select urgency as label, count(*) as count from interrupts
       where owner_id = :ownerId and status = 'pending' group by urgency
      """)
  List<CountRow> pendingByUrgency(@Bind("ownerId") String ownerId);

  @SqlQuery("select min(created_at) from interrupts where owner_id = :ownerId and status = 'pending'")
  Instant oldestPending(@Bind("ownerId") String ownerId);

  /** Records the execution result of an approved interrupt, once. */
  @SqlUpdate(
      """
      update interrupts set confirmed_at = clock_timestamp(), confirm_result = :result
       where id = :id::uuid and status = 'approved' and confirmed_at is null
      """)
  int confirm(@Bind("id") String id, @Bind("result") @Json JsonNode result);

  /** Every pending interrupt of an owner, newest first, whatever dialect created it. */
  @SqlQuery(
      "select " + COLUMNS
          + """
           from interrupts
          where owner_id = :ownerId and status = 'pending'
          order by created_at desc, id
          limit :limit
          """)
  List<InterruptRow> pendingForOwner(@Bind("ownerId") String ownerId, @Bind("limit") int limit);

  @SqlQuery(
      "select id, interrupt_id::text, at, event, actor, details from interrupt_events"
          + " where interrupt_id = :id::uuid order by id")
  List<InterruptEventRow> events(@Bind("id") String id);

  /**
   * The audit events of an owner's interrupts, newest first, each filter optional;
   * {@code requestId} must be a UUID when given.
   */
  @SqlQuery(
      """
      select e.id, e.interrupt_id::text, e.at, e.event, e.actor, e.details, i.action, i.status,
             i.urgency
        from interrupt_events e join interrupts i on i.id = e.interrupt_id
       where i.owner_id = :ownerId
      """ + AUDIT_FILTERS + """
       order by e.id desc
       limit :limit offset :offset
      """)
  List<AuditEntryRow> auditLog(@Bind("ownerId") String ownerId,
      @Bind("requestId") String requestId, @Bind("action") String action,
      @Bind("status") String status, @Bind("event") String event, @Bind("actor") String actor,
      @Bind("from") Instant from, @Bind("to") Instant to, @Bind("limit") int limit,
      @Bind("offset") int offset);

  /** How many events {@link #auditLog} has in all pages. */
  @SqlQuery(
      """
      select count(*)
        from interrupt_events e join interrupts i on i.id = e.interrupt_id
       where i.owner_id = :ownerId
      """ + AUDIT_FILTERS)
  long auditCount(@Bind("ownerId") String ownerId, @Bind("requestId") String requestId,
      @Bind("action") String action, @Bind("status") String status, @Bind("event") String event,
      @Bind("actor") String actor, @Bind("from") Instant from, @Bind("to") Instant to);

  /** The distinct actors of an owner's audit events, in order, at most {@code limit}. */
  @SqlQuery(
      """
      select distinct e.actor
        from interrupt_events e join interrupts i on i.id = e.interrupt_id
       where i.owner_id = :ownerId and e.actor is not null
       order by e.actor
       limit :limit
      """)
  List<String> auditActors(@Bind("ownerId") String ownerId, @Bind("limit") int limit);

  /**
   * Pending interrupts that ask any of {@code names} (a person's username, user id and
   * groups, in lower case; compared regardless of case): as LoopIn's user, as the
   * assignee, or among the reviewers. Newest first.
   */
  @SqlQuery(
      "select " + COLUMNS
          + """
           from interrupts
          where owner_id = :ownerId and status = 'pending'
            and (lower(user_id) = any(cast(:names as text[]))
                 or lower(assignee) = any(cast(:names as text[]))
                 or array(select lower(r) from unnest(reviewers) r) && cast(:names as text[]))
          order by created_at desc, id
          limit :limit
          """)
  List<InterruptRow> pendingAsking(@Bind("ownerId") String ownerId,
      @Bind("names") String[] names, @Bind("limit") int limit);

  /** Interrupts whose workflow must exist: still waiting, or owing a callback. */
  @SqlQuery(
      "select " + COLUMNS
          + """
           from interrupts
          where (status = 'pending' or callback_state = 'pending') and created_at > :after
             or ((status = 'pending' or callback_state = 'pending')
                 and created_at = :after and id > :afterId::uuid)
          order by created_at, id
          limit :limit
          """)
  List<InterruptRow> recoverable(@Bind("after") Instant after, @Bind("afterId") String afterId,
      @Bind("limit") int limit);

  /** Interrupts that need a live workflow: still waiting, or still owing their callback. */
  /** Every pending interrupt of the store (the metrics gauge): the partial pending indexes answer it. */
  @SqlQuery("select count(*) from interrupts where status = 'pending'")
  long countPending();

  @SqlQuery("select count(*) from interrupts where status = 'pending' or callback_state = 'pending'")
  long countRecoverable();

  @SqlQuery(
      """
      select status as label, count(*) as count from interrupts
       where owner_id = :ownerId and user_id = :userId group by status
      """)
  List<CountRow> countByStatus(@Bind("ownerId") String ownerId, @Bind("userId") String userId);

  @SqlQuery(
      """
      select urgency as label, count(*) as count from interrupts
       where owner_id = :ownerId and user_id = :userId group by urgency
      """)
  List<CountRow> countByUrgency(@Bind("ownerId") String ownerId, @Bind("userId") String userId);

  @SqlQuery(
      """
      select action as label, count(*) as count from interrupts
       where owner_id = :ownerId and user_id = :userId
       group by action order by count(*) desc, action limit :limit
      """)
  List<CountRow> topActions(@Bind("ownerId") String ownerId, @Bind("userId") String userId,
      @Bind("limit") int limit);

  /** Mean milliseconds from creation to decision, over decided interrupts; null if none. */
  @SqlQuery(
      """
      select avg(extract(epoch from (decided_at - created_at)) * 1000)::double precision
        from interrupts
       where owner_id = :ownerId and user_id = :userId and decision is not null
      """)
  Double avgDecisionMillis(@Bind("ownerId") String ownerId, @Bind("userId") String userId);
}
