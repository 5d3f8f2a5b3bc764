package dev.interlock.store;

import dev.interlock.model.Approval;
import dev.interlock.model.InterruptRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.jackson2.Jackson2Config;

/**
 * The statements every request and every transition runs: create, read one, project a
 * transition, notify. They use JDBI's fluent API with a hand-written row mapper instead of
 * a SqlObject, because attaching a SqlObject builds a configuration copy and warms a
 * handler for every method of the interface on every attach (jdbi 3.51, see
 * jdbi/jdbi#2991 and #2617): about 0.8 ms of CPU per call against 0.05 ms here, which was
 * a third of the CPU of a create under load. Colder queries (lists, analytics, audit) stay
 * in {@link InterruptDao}.
 */
public final class InterruptSql {

  private InterruptSql() {}

  /** Channel on which every transition is announced (payload: the interrupt id). */
  public static final String CHANNEL = "interlock_interrupt";

  /**
   * Channel on which new interrupts are announced (payload: the interrupt id), for live
   * dashboards. Separate from {@link #CHANNEL} so a creation never wakes a decision waiter.
   */
  public static final String CREATED_CHANNEL = "interlock_interrupt_created";

  /**
   * Channel on which an approval towards a quorum is announced (payload: the interrupt id),
   * for live pages. The interrupt stays pending, so a decision waiter is not woken for it.
   */
  public static final String APPROVAL_CHANNEL = "interlock_interrupt_approval";

  private static final String INSERT_CREATED =
      """
      with inserted as (
        insert into interrupts (id, owner_id, source, agent_id, user_id, action, context, params,
            urgency, status, created_at, expires_at, callback_url, callback_state, idempotency_key,
            request_type, options, session_id, reviewers, required_approvals, assignee)
        values (:id::uuid, :ownerId, :source, :agentId, :userId, :action,
            cast(:context as jsonb), cast(:params as jsonb), :urgency, 'pending', :createdAt,
            :expiresAt, :callbackUrl,
            case when cast(:callbackUrl as text) is null then 'none' else 'pending' end,
            :idempotencyKey, :requestType, cast(:options as jsonb), :sessionId, :reviewers,
            :requiredApprovals, :assignee)
        on conflict do nothing
        returning *
      ), event as (
        insert into interrupt_events (interrupt_id, event, actor, details)
        select id, 'created', :actor, coalesce(cast(:details as jsonb), '{}'::jsonb)
          from inserted
      )
      select
      """ + InterruptDao.COLUMNS + " from inserted";

  /**
   * Inserts a new interrupt with its "created" audit event in one statement and returns the
   * row; empty when the owner already used the idempotency key (nothing is written then).
   */
  public static Optional<InterruptRow> insertCreated(Handle h, NewInterrupt n, JsonNode context,
      JsonNode params, JsonNode options, String actor, JsonNode details) {
    return h.createQuery(INSERT_CREATED)
        .bind("id", n.id())
        .bind("ownerId", n.ownerId())
        .bind("source", n.source())
        .bind("agentId", n.agentId())
        .bind("userId", n.userId())
        .bind("action", n.action())
        .bind("context", text(context))
        .bind("params", text(params))
        .bind("urgency", n.urgency())
        .bind("createdAt", n.createdAt())
        .bind("expiresAt", n.expiresAt())
        .bind("callbackUrl", n.callbackUrl())
        .bind("idempotencyKey", n.idempotencyKey())
        .bind("requestType", n.requestType())
        .bind("options", text(options))
        .bind("sessionId", n.sessionId())
        .bindArray("reviewers", String.class, n.reviewers())
        .bind("requiredApprovals", n.requiredApprovals())
        .bind("assignee", n.assignee())
        .bind("actor", actor)
        .bind("details", text(details))
        .map(mapper(h))
        .findOne();
  }

  public static Optional<InterruptRow> find(Handle h, String id) {
    return one(h, "id = :id::uuid", q -> q.bind("id", id));
  }

  /** The interrupt if it exists and belongs to {@code ownerId}; empty otherwise. */
  public static Optional<InterruptRow> findOwned(Handle h, String id, String ownerId) {
    return one(h, "id = :id::uuid and owner_id = :ownerId",
        q -> q.bind("id", id).bind("ownerId", ownerId));
  }

  public static Optional<InterruptRow> findByIdempotencyKey(Handle h, String ownerId, String key) {
    return one(h, "owner_id = :ownerId and idempotency_key = :key",
        q -> q.bind("ownerId", ownerId).bind("key", key));
  }

  private static Optional<InterruptRow> one(Handle h, String where, UnaryOperator<Query> binds) {
    return binds.apply(
            h.createQuery("select " + InterruptDao.COLUMNS + " from interrupts where " + where))
        .map(mapper(h))
        .findOne();
  }

  private static final String PROJECT =
      """
      with updated as (
        update interrupts
           set status = :status, decision = :decision, reason = :reason,
               modified_params = cast(:modifiedParams as jsonb), decided_by = :decidedBy,
               decided_by_id = :decidedById, decided_at = :decidedAt, command_id = :commandId,
               response = :response
         where id = :id::uuid and status = 'pending'
        returning *
      ), event as (
        insert into interrupt_events (interrupt_id, event, actor, details)
        select id, :status, :decidedBy, coalesce(cast(:details as jsonb), '{}'::jsonb)
          from updated
      )
      select pg_notify('""" + CHANNEL + "', id::text) as notified, " + InterruptDao.COLUMNS
      + " from updated";

  /**
   * Applies a transition out of pending, appends its audit event and announces it on
   * {@link #CHANNEL} (delivered at commit), in one statement; returns the updated row, or
   * empty when the interrupt was not pending (nothing is written then).
   */
  public static Optional<InterruptRow> project(Handle h, String id, String status,
      String decision, String reason, JsonNode modifiedParams, String decidedBy,
      String decidedById, Instant decidedAt, String commandId, String response,
      JsonNode details) {
    return h.createQuery(PROJECT)
        .bind("id", id)
        .bind("status", status)
        .bind("decision", decision)
        .bind("reason", reason)
        .bind("modifiedParams", text(modifiedParams))
        .bind("decidedBy", decidedBy)
        .bind("decidedById", decidedById)
        .bind("decidedAt", decidedAt)
        .bind("commandId", commandId)
        .bind("response", response)
        .bind("details", text(details))
        .map(mapper(h))
        .findOne();
  }

  private static final String EXPIRE_DUE =
      """
      with due as (
        select id from interrupts
         where status = 'pending' and expires_at <= clock_timestamp()
         order by expires_at
         limit :limit
           for update skip locked
      ), updated as (
        update interrupts i
           set status = 'expired', decided_by = 'system:expiry',
               decided_by_id = 'system:expiry', decided_at = i.expires_at
          from due
         where i.id = due.id and i.status = 'pending'
        returning i.*
      ), event as (
        insert into interrupt_events (interrupt_id, event, actor, details)
        select id, 'expired', 'system:expiry', '{"actorId":"system:expiry"}'::jsonb from updated
      )
      select pg_notify('""" + CHANNEL + "', id::text) as notified, " + InterruptDao.COLUMNS
      + " from updated";

  /**
   * Expires up to {@code limit} pending interrupts whose deadline has passed on the
   * database's clock: status, audit event and NOTIFY, exactly as the workflow's own expiry
   * projects it ({@code system:expiry}, decided at the deadline). Rows another sweep holds
   * are skipped. A decision projected later finds the row no longer pending; the workflow
   * then adopts the expiry.
   */
  public static List<InterruptRow> expireDue(Handle h, int limit) {
    return h.createQuery(EXPIRE_DUE)
        .bind("limit", limit)
        .map(mapper(h))
        .list();
  }

  /** What {@link #insertApproval} found and did. */
  public record ApprovalWrite(boolean pending, boolean inserted) {}

  private static final String INSERT_APPROVAL =
      """
      with target as (
        select id from interrupts where id = :id::uuid and status = 'pending' for update
      ), inserted as (
        insert into interrupt_approvals (interrupt_id, approver_id, approver, at, reason)
        select id, :approverId, :approver, :at, :reason from target
        on conflict do nothing
        returning interrupt_id
      )
      select exists (select 1 from target) as pending, exists (select 1 from inserted) as inserted
      """;

  /**
   * Records one approval towards the quorum of a pending interrupt, once per approver, and
   * locks the row for the rest of the transaction, so the expiry sweep (which skips locked
   * rows) cannot expire it between this and what the caller writes next. Nothing is written
   * when the interrupt is not pending.
   */
  public static ApprovalWrite insertApproval(Handle h, String id, String approverId,
      String approver, Instant at, String reason) {
    return h.createQuery(INSERT_APPROVAL)
        .bind("id", id)
        .bind("approverId", approverId)
        .bind("approver", approver)
        .bind("at", at)
        .bind("reason", reason)
        .map((rs, ctx) -> new ApprovalWrite(rs.getBoolean("pending"), rs.getBoolean("inserted")))
        .one();
  }

  /** Announces a recorded approval to every server instance; delivered at commit. */
  public static void notifyApproval(Handle h, String id) {
    notify(h, APPROVAL_CHANNEL, id);
  }

  /**
   * Routes a pending interrupt as a policy said: adds {@code reviewers} to those it has
   * (each once, in order) and raises its required approvals to {@code approvals} (never
   * lowers them; null leaves them). Returns the number of rows changed.
   */
  public static int route(Handle h, String id, List<String> reviewers, Integer approvals) {
    return h.createUpdate(
            """
            update interrupts
               set reviewers = array(select r from unnest(reviewers || :reviewers)
                                       with ordinality as u(r, n)
                                      group by r order by min(n)),
                   required_approvals = greatest(required_approvals,
                                                 coalesce(:approvals, required_approvals))
             where id = :id::uuid and status = 'pending'
            """)
        .bind("id", id)
        .bindArray("reviewers", String.class, reviewers == null ? List.of() : reviewers)
        .bind("approvals", approvals)
        .execute();
  }

  public static int setCallbackState(Handle h, String id, String state) {
    return h.createUpdate("update interrupts set callback_state = :state where id = :id::uuid")
        .bind("id", id)
        .bind("state", state)
        .execute();
  }

  /** Appends an audit event (the table refuses updates and deletes). */
  public static void insertEvent(Handle h, String interruptId, String event, String actor,
      JsonNode details) {
    h.createUpdate(
            """
            insert into interrupt_events (interrupt_id, event, actor, details)
            values (:interruptId::uuid, :event, :actor, coalesce(cast(:details as jsonb), '{}'::jsonb))
            """)
        .bind("interruptId", interruptId)
        .bind("event", event)
        .bind("actor", actor)
        .bind("details", text(details))
        .execute();
  }

  /** Announces a new interrupt to every server instance; delivered when the transaction commits. */
  public static void notifyCreated(Handle h, String id) {
    notify(h, CREATED_CHANNEL, id);
  }

  private static void notify(Handle h, String channel, String id) {
    h.createQuery("select pg_notify(:channel, :id)::text")
        .bind("channel", channel)
        .bind("id", id)
        .map((rs, ctx) -> rs.getString(1))
        .findOne();
  }

  private static String text(JsonNode node) {
    return node == null ? null : node.toString();
  }

  private static RowMapper<InterruptRow> mapper(Handle h) {
    return new InterruptRowMapper(h.getConfig(Jackson2Config.class).getMapper());
  }

  /** Maps {@link InterruptDao#COLUMNS} by name; jsonb columns are parsed with the app's mapper. */
  static final class InterruptRowMapper implements RowMapper<InterruptRow> {

    private final ObjectMapper json;

    InterruptRowMapper(ObjectMapper json) {
      this.json = json;
    }

    @Override
    public InterruptRow map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
        throws SQLException {
      return new InterruptRow(
          rs.getString("id"),
          rs.getString("owner_id"),
          rs.getString("source"),
          rs.getString("agent_id"),
          rs.getString("user_id"),
          rs.getString("action"),
          json(rs, "context"),
          json(rs, "params"),
          rs.getString("urgency"),
          rs.getString("status"),
          rs.getString("decision"),
          rs.getString("reason"),
          json(rs, "modified_params"),
          rs.getString("decided_by"),
          rs.getString("command_id"),
          Columns.instant(rs, "created_at"),
          Columns.instant(rs, "expires_at"),
          Columns.instant(rs, "decided_at"),
          rs.getString("callback_url"),
          rs.getString("callback_state"),
          rs.getString("idempotency_key"),
          rs.getString("request_type"),
          json(rs, "options"),
          rs.getString("response"),
          rs.getString("session_id"),
          Columns.instant(rs, "confirmed_at"),
          json(rs, "confirm_result"),
          rs.getString("decided_by_id"),
          Columns.strings(rs, "reviewers"),
          rs.getInt("required_approvals"),
          Columns.approvals(json(rs, "approvals")),
          rs.getString("assignee"));
    }

    private JsonNode json(ResultSet rs, String column) throws SQLException {
      String text = rs.getString(column);
      if (text == null) {
        return null;
      }
      try {
        return json.readTree(text);
      } catch (JsonProcessingException e) {
        throw new SQLException("column " + column + " holds invalid JSON", e);
      }
    }

  }
}
