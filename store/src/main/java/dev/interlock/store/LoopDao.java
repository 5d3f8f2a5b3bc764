package dev.interlock.store;

import dev.interlock.model.LoopChoiceRow;
import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopIdempotencyRow;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.KeyColumn;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.ValueColumn;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * loopat's loops, turns, events, choices and Idempotency-Keys. Every event is appended with
 * the loop's next sequence number (the loop's row serialises appends) and announced on
 * {@value #CHANNEL} with the loop id, so a stream on any instance wakes and reads on from
 * the last sequence number it sent.
 */
@RegisterConstructorMapper(LoopRow.class)
@RegisterConstructorMapper(LoopTurnRow.class)
@RegisterConstructorMapper(LoopEventRow.class)
@RegisterConstructorMapper(LoopChoiceRow.class)
@RegisterConstructorMapper(LoopIdempotencyRow.class)
public interface LoopDao {

  /** The NOTIFY channel of loop events; the payload is the loop id. */
  String CHANNEL = "interlock_loop_events";

  String LOOP = "id, owner_id, created_by, creator_name, title, metadata, profiles, vault, repo,"
      + " archived, archived_at, created_at, last_active_at, turn_count, agent_session, next_seq";
  String TURN = "id, loop_id, number, permission_mode, status, error_code, error_message, key_id,"
      + " pending_choice, created_at, started_at, ended_at";
  String EVENT = "loop_id, seq, turn_id, event, data, created_at";
  String CHOICE = "id, interrupt_id::text as interrupt_id, loop_id, turn_id, kind, payload,"
      + " created_at, resolved_at, resolved_source";

  // ---- loops -------------------------------------------------------------------------

  @SqlQuery("""
      insert into loops (id, owner_id, created_by, creator_name, title, metadata, profiles, vault,
                         repo)
      values (:id, :ownerId, :createdBy, :creatorName, :title, cast(:metadata as jsonb),
              :profiles, :vault, :repo)
      returning\s""" + LOOP)
  LoopRow insert(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("createdBy") String createdBy, @Bind("creatorName") String creatorName,
      @Bind("title") String title, @Bind("metadata") String metadataJson,
      @Bind("profiles") List<String> profiles, @Bind("vault") String vault,
      @Bind("repo") String repo);

  @SqlQuery("select " + LOOP + " from loops where owner_id = :ownerId and id = :id")
  Optional<LoopRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** For the worker, which acts for no caller. */
  @SqlQuery("select " + LOOP + " from loops where id = :id")
  Optional<LoopRow> byId(@Bind("id") String id);

  /**
   * A page of one creator's loops, most recently active first. {@code after}: strictly
   * older than that loop; {@code before}: strictly newer (returned newest first too).
   * Asks for {@code limit} rows: pass one more than the page to learn whether more exist.
   */
  @SqlQuery("""
      select * from (
        select\s""" + LOOP + """
          from loops l
         where owner_id = :ownerId and created_by = :createdBy
           and (:archived or not archived)
           and (cast(:after as text) is null or (last_active_at, id) <
                (select last_active_at, id from loops where id = :after and owner_id = :ownerId))
           and (cast(:before as text) is null or (last_active_at, id) >
                (select last_active_at, id from loops where id = :before and owner_id = :ownerId))
         order by case when cast(:before as text) is null then last_active_at end desc,
                  case when cast(:before as text) is null then id end desc,
                  case when cast(:before as text) is not null then last_active_at end asc,
                  case when cast(:before as text) is not null then id end asc
         limit :limit) page
       order by last_active_at desc, id desc
      """)
  List<LoopRow> page(@Bind("ownerId") String ownerId, @Bind("createdBy") String createdBy,
      @Bind("archived") boolean archived, @Bind("after") String after,
      @Bind("before") String before, @Bind("limit") int limit);

  /** Every loop of the workspace, most recently active first (the dashboard). */
  @SqlQuery("select " + LOOP + " from loops where owner_id = :ownerId and (:archived or not archived)"
      + " order by last_active_at desc, id desc limit :limit")
  List<LoopRow> inWorkspace(@Bind("ownerId") String ownerId, @Bind("archived") boolean archived,
      @Bind("limit") int limit);

  @SqlUpdate("""
      update loops set archived = true, archived_at = coalesce(archived_at, now())
       where owner_id = :ownerId and id = :id
      """)
  int archive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  @SqlUpdate("update loops set agent_session = :session where id = :id")
  int setAgentSession(@Bind("id") String id, @Bind("session") String session);

  // ---- turns -------------------------------------------------------------------------

  /** A new queued turn numbered after the loop's last; the loop counts it and is active now. */
  @SqlQuery("""
      with counted as (
        update loops set turn_count = turn_count + 1, last_active_at = now()
         where id = :loopId returning turn_count)
      insert into loop_turns (id, loop_id, number, content, permission_mode)
      select :id, :loopId, turn_count, :content, :permissionMode from counted
      returning\s""" + TURN)
  LoopTurnRow insertTurn(@Bind("id") String id, @Bind("loopId") String loopId,
      @Bind("content") String content, @Bind("permissionMode") String permissionMode);

  @SqlQuery("select " + TURN + " from loop_turns where id = :id")
  Optional<LoopTurnRow> turn(@Bind("id") String id);

  @SqlQuery("select content from loop_turns where id = :id")
  Optional<String> content(@Bind("id") String id);

  /** The loop's turns from number {@code from} on, in order (the dashboard's transcript). */
  @SqlQuery("select " + TURN + " from loop_turns where loop_id = :loopId and number >= :from"
      + " order by number")
  List<LoopTurnRow> turnsFrom(@Bind("loopId") String loopId, @Bind("from") int from);

  /**
   * The messages of the loop's turns from number {@code from} on, by turn id, each cut to
   * its first {@code chars} characters (a message may be a megabyte; a page shows less).
   */
  @SqlQuery("select id, left(content, :chars) as message from loop_turns"
      + " where loop_id = :loopId and number >= :from")
  @KeyColumn("id")
  @ValueColumn("message")
  Map<String, String> messagesFrom(@Bind("loopId") String loopId, @Bind("from") int from,
      @Bind("chars") int chars);

  /** One turn's message, cut to its first {@code chars} characters. */
  @SqlQuery("select left(content, :chars) from loop_turns where id = :id")
  Optional<String> message(@Bind("id") String id, @Bind("chars") int chars);

  /** The seq of the first event of the loop's turns from number {@code from} on. */
  @SqlQuery("""
      select min(e.seq) from loop_turns t join loop_events e on e.turn_id = t.id
       where t.loop_id = :loopId and t.number >= :from
      """)
  Optional<Long> firstSeqFrom(@Bind("loopId") String loopId, @Bind("from") int from);

  /** The running turn (if any) then the queued ones, in order. */
  @SqlQuery("select " + TURN + " from loop_turns where loop_id = :loopId"
      + " and status in ('queued', 'running') order by number")
  List<LoopTurnRow> openTurns(@Bind("loopId") String loopId);

  /** Every loop that has a turn queued or running (recovery after a restart). */
  @SqlQuery("select distinct loop_id from loop_turns where status in ('queued', 'running')")
  List<String> loopsWithOpenTurns();

  @SqlQuery("select " + TURN + " from loop_turns where key_id = :keyId and status = 'running'")
  Optional<LoopTurnRow> runningTurnOfKey(@Bind("keyId") String keyId);

  /** Marks a queued turn running with its MCP key; false when it is no longer queued. */
  @SqlUpdate("""
      update loop_turns set status = 'running', started_at = now(), key_id = :keyId
       where id = :id and status = 'queued'
      """)
  int markRunning(@Bind("id") String id, @Bind("keyId") String keyId);

  /** Ends an open turn; 0 when it had already ended (the first end stands). */
  @SqlUpdate("""
      update loop_turns set status = :status, error_code = :code, error_message = :message,
                            ended_at = now(), pending_choice = null
       where id = :id and status in ('queued', 'running')
      """)
  int finishTurn(@Bind("id") String id, @Bind("status") String status,
      @Bind("code") String code, @Bind("message") String message);

  @SqlUpdate("update loop_turns set pending_choice = :choice where id = :id")
  int setPendingChoice(@Bind("id") String id, @Bind("choice") String choiceId);

  @SqlUpdate("""
      update loop_turns set pending_choice = null
       where id = :id and pending_choice = :choice
      """)
  int clearPendingChoice(@Bind("id") String id, @Bind("choice") String choiceId);

  // ---- events ------------------------------------------------------------------------

  /**
   * Appends an event with the loop's next sequence number and announces it; with a
   * {@code dedupe} key an event already appended under it is not appended again (an
   * activity's retry) and the result is empty.
   */
  @SqlQuery("""
      with seq as (
        update loops set next_seq = next_seq + 1, last_active_at = now()
         where id = :loopId
           and (cast(:dedupe as text) is null or not exists (
                select 1 from loop_events where loop_id = :loopId and dedupe = :dedupe))
        returning next_seq),
      ins as (
        insert into loop_events (loop_id, seq, turn_id, event, data, dedupe)
        select :loopId, next_seq, :turnId, :event, cast(:data as jsonb), :dedupe from seq
        on conflict do nothing
        returning seq)
      select ins.seq from ins, lateral (select pg_notify('""" + CHANNEL + "', :loopId)) n")
  Optional<Long> append(@Bind("loopId") String loopId, @Bind("turnId") String turnId,
      @Bind("event") String event, @Bind("data") String dataJson,
      @Bind("dedupe") String dedupe);

  /** Events after {@code seq}, in order (a reconnect, or a stream woken by NOTIFY). */
  @SqlQuery("select " + EVENT + " from loop_events where loop_id = :loopId and seq > :seq"
      + " order by seq limit :limit")
  List<LoopEventRow> eventsAfter(@Bind("loopId") String loopId, @Bind("seq") long seq,
      @Bind("limit") int limit);

  /** The text the agent has said so far in a turn (the {@code snapshot} event). */
  @SqlQuery("""
      select coalesce(string_agg(data ->> 'text', '' order by seq), '')
        from loop_events where turn_id = :turnId and event = 'assistant_delta'
      """)
  String assistantText(@Bind("turnId") String turnId);

  /** The seq of a turn's first event (a replay of that turn starts just before it). */
  @SqlQuery("select min(seq) from loop_events where turn_id = :turnId")
  Optional<Long> firstSeq(@Bind("turnId") String turnId);

  // ---- choices -----------------------------------------------------------------------

  @SqlUpdate("""
      insert into loop_choices (id, interrupt_id, loop_id, turn_id, kind, payload)
      values (:id, cast(:interruptId as uuid), :loopId, :turnId, :kind, cast(:payload as jsonb))
      on conflict (id) do nothing
      """)
  int insertChoice(@Bind("id") String id, @Bind("interruptId") String interruptId,
      @Bind("loopId") String loopId, @Bind("turnId") String turnId, @Bind("kind") String kind,
      @Bind("payload") String payloadJson);

  @SqlQuery("select " + CHOICE + " from loop_choices where id = :id")
  Optional<LoopChoiceRow> choice(@Bind("id") String id);

  @SqlQuery("select " + CHOICE + " from loop_choices where interrupt_id = cast(:interruptId as uuid)")
  Optional<LoopChoiceRow> choiceOfInterrupt(@Bind("interruptId") String interruptId);

  /** Records who answered; 0 when it was already resolved. */
  @SqlUpdate("""
      update loop_choices set resolved_at = now(), resolved_source = :source
       where id = :id and resolved_at is null
      """)
  int resolveChoice(@Bind("id") String id, @Bind("source") String source);

  // ---- Idempotency-Keys --------------------------------------------------------------

  /** The key's record if it is younger than {@code since}. */
  @SqlQuery("""
      select caller_id, key, request_hash, loop_id, turn_id, created_at from loop_idempotency
       where caller_id = :callerId and key = :key and created_at > :since
      """)
  Optional<LoopIdempotencyRow> idempotency(@Bind("callerId") String callerId,
      @Bind("key") String key, @Bind("since") Instant since);

  /** Records a key (replacing one older than the window); 0 when a live one holds it. */
  @SqlUpdate("""
      insert into loop_idempotency (caller_id, key, request_hash, loop_id, turn_id)
      values (:callerId, :key, :hash, :loopId, :turnId)
      on conflict (caller_id, key) do update
         set request_hash = excluded.request_hash, loop_id = excluded.loop_id,
             turn_id = excluded.turn_id, created_at = now()
       where loop_idempotency.created_at <= :since
      """)
  int recordIdempotency(@Bind("callerId") String callerId, @Bind("key") String key,
      @Bind("hash") String hash, @Bind("loopId") String loopId, @Bind("turnId") String turnId,
      @Bind("since") Instant since);

  @SqlUpdate("delete from loop_idempotency where created_at <= :since")
  int forgetIdempotency(@Bind("since") Instant since);
}
