package dev.interlock.store;

import dev.interlock.model.InterruptRow;
import dev.interlock.model.CountRow;
import dev.interlock.model.BreakdownRow;
import dev.interlock.model.DayRow;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The reads behind the people's side (dashboard inbox, history, analytics): every query is
 * scoped to one owner. Transitions still go through the workflows; nothing here writes.
 */
@RegisterConstructorMapper(InterruptRow.class)
@RegisterConstructorMapper(CountRow.class)
@RegisterConstructorMapper(DayRow.class)
@RegisterConstructorMapper(BreakdownRow.class)
public interface ReviewerDao {



  /**
   * Pending interrupts: those that ask one of {@code askedNames} (the person's username, user
   * id and groups, in lower case: in {@code user_id}, {@code assignee} or {@code reviewers},
   * compared regardless of case) first, then most urgent first
   * and oldest first within an urgency. Optional filters: agent, urgency (stored word) and
   * "created at or before".
   */
  @SqlQuery(
      "select " + InterruptDao.COLUMNS
          + """
           from interrupts
          where owner_id = :ownerId and status = 'pending'
            and (cast(:agent as text) is null or agent_id = :agent)
            and (cast(:urgency as text) is null or urgency = :urgency)
            and (cast(:createdBefore as timestamptz) is null or created_at <= :createdBefore)
          order by coalesce(lower(user_id) = any(cast(:askedNames as text[]))
                            or lower(assignee) = any(cast(:askedNames as text[]))
                            or array(select lower(r) from unnest(reviewers) r)
                               && cast(:askedNames as text[]), false) desc,
                   case urgency when 'critical' then 0 when 'high' then 1
                                when 'normal' then 2 else 3 end,
                   created_at, id
          limit :limit
          """)
  List<InterruptRow> inbox(@Bind("ownerId") String ownerId, @Bind("agent") String agent,
      @Bind("urgency") String urgency, @Bind("createdBefore") Instant createdBefore,
      @Bind("askedNames") String[] askedNames, @Bind("limit") int limit);

  /** The agents that have asked this owner anything, for filters. */
  @SqlQuery(
      """
      select agent_id from interrupts where owner_id = :ownerId and agent_id is not null
       group by agent_id order by agent_id limit :limit
      """)
  List<String> agents(@Bind("ownerId") String ownerId, @Bind("limit") int limit);

  /**
   * History, newest first. {@code pattern} is an ILIKE pattern (already escaped) matched
   * against action, agent, end user, reason, answer and decider; {@code exactId} matches
   * the id itself.
   */
  @SqlQuery(
      "select " + InterruptDao.COLUMNS
          + """
           from interrupts
          where owner_id = :ownerId
            and (cast(:status as text) is null or status = :status)
            and (cast(:pattern as text) is null
                 or action ilike :pattern or agent_id ilike :pattern or user_id ilike :pattern
                 or reason ilike :pattern or response ilike :pattern
                 or decided_by ilike :pattern or id::text = :exactId)
          order by created_at desc, id
          limit :limit offset :offset
          """)
  List<InterruptRow> history(@Bind("ownerId") String ownerId, @Bind("status") String status,
      @Bind("pattern") String pattern, @Bind("exactId") String exactId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  /** Day by day since {@code since} (UTC days); days without activity are absent. */
  @SqlQuery(
      """
      with created as (
        select date_trunc('day', created_at at time zone 'UTC') as day,
               count(*) as created,
               count(*) filter (where status = 'approved') as approved,
               count(*) filter (where status = 'rejected') as rejected,
               count(*) filter (where status = 'expired') as expired,
               count(*) filter (where status = 'cancelled') as cancelled,
               count(*) filter (where status = 'pending') as pending
          from interrupts
         where owner_id = :ownerId and created_at >= :since
         group by 1),
      answered as (
        select date_trunc('day', decided_at at time zone 'UTC') as day,
               percentile_cont(0.5) within group (order by ms) as p50,
               percentile_cont(0.9) within group (order by ms) as p90,
               percentile_cont(0.99) within group (order by ms) as p99
          from (select decided_at,
                       extract(epoch from (decided_at - created_at)) * 1000 as ms
                  from interrupts
                 where owner_id = :ownerId and decision is not null and decided_at >= :since
                   and coalesce(decided_by, '') not like 'policy:%') d
         group by 1)
      select (coalesce(c.day, a.day) at time zone 'UTC') as day,
             coalesce(c.created, 0) as created, coalesce(c.approved, 0) as approved,
             coalesce(c.rejected, 0) as rejected, coalesce(c.expired, 0) as expired,
             coalesce(c.cancelled, 0) as cancelled, coalesce(c.pending, 0) as pending,
             a.p50::double precision as p50_ms, a.p90::double precision as p90_ms,
             a.p99::double precision as p99_ms
        from created c full join answered a on a.day = c.day
       order by 1
      """)
  List<DayRow> days(@Bind("ownerId") String ownerId, @Bind("since") Instant since);

  /** Counts and median response time per label (the first column); policy decisions left out. */
  String BREAKDOWN = """
       count(*) as total,
       count(*) filter (where status = 'approved') as approved,
       count(*) filter (where status = 'rejected') as rejected,
       count(*) filter (where status = 'pending') as pending,
       (percentile_cont(0.5) within group (
          order by extract(epoch from (decided_at - created_at)) * 1000)
        filter (where decision is not null
                and coalesce(decided_by, '') not like 'policy:%'))::double precision as p50_ms
      from interrupts
      where owner_id = :ownerId and created_at >= :since
      group by 1 order by count(*) desc, 1 limit :limit
      """;

  @SqlQuery("select coalesce(agent_id, '(none)') as label," + BREAKDOWN)
  List<BreakdownRow> byAgent(@Bind("ownerId") String ownerId, @Bind("since") Instant since,
      @Bind("limit") int limit);

  @SqlQuery("select action as label," + BREAKDOWN)
  List<BreakdownRow> byAction(@Bind("ownerId") String ownerId, @Bind("since") Instant since,
      @Bind("limit") int limit);
}
