package dev.interlock.server.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.LoopChoiceRow;
import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopIdempotencyRow;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.temporal.LoopGateway;
import dev.interlock.store.ApiKeySql;
import dev.interlock.store.LoopDao;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.loop.TurnRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import dev.interlock.server.metrics.InterlockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * loopat's loops, dialect-free: create, list, archive, send a message (a queued turn that
 * the loop's workflow runs), interrupt, answer a choice, and the event log streams read.
 * A choice is an interrupt of the core (source {@code loopat}), created when the turn's
 * agent calls {@code approval_prompt} with its turn key; a decision through any door
 * resolves it.
 */
public final class LoopService {

  private static final Logger log = LoggerFactory.getLogger(LoopService.class);

  public static final String SOURCE = "loopat";
  public static final int MAX_TITLE = 200;
  public static final int MAX_METADATA_BYTES = 16 * 1024;
  public static final int MAX_CONTENT_BYTES = 1024 * 1024;
  public static final int MAX_IDEMPOTENCY_KEY = 256;
  public static final int MAX_PAGE = 100;
  public static final Set<String> PERMISSION_MODES =
      Set.of("default", "acceptEdits", "bypassPermissions", "plan", "dontAsk", "auto");
  /** "No timeout": a choice expires this far ahead (loopat's choices wait until answered). */
  static final Duration NO_TIMEOUT = Duration.ofDays(36_500);

  /** A loop to create (validated by the dialect). */
  public record NewLoop(String title, ObjectNode metadata, List<String> profiles, String vault,
      String repo) {}

  /**
   * A loop's runtime state, from the store: whether a turn runs or waits, how many wait
   * behind the current one, and the current turn.
   */
  public record Runtime(boolean busy, int queueDepth, LoopTurnRow currentTurn) {}

  public record LoopPage(List<LoopRow> loops, boolean hasMore) {}

  /**
   * A message accepted: its turn, and the sequence number after which the turn's events
   * start (what a stream of it reads on from).
   *
   * @param replay whether an Idempotency-Key named an earlier identical message
   */
  public record Sent(LoopRow loop, LoopTurnRow turn, long afterSeq, boolean replay) {}

  /** What {@code GET /events} sends first when a turn is under way. */
  public record Snapshot(String turnId, String assistantTextSoFar, String pendingChoiceId,
      long seq) {}

  /** An answer to a choice: {@code allow} for permissions, {@code answers} for questions. */
  public record Answer(Boolean allow, Map<String, String> answers) {}

  private final Jdbi jdbi;
  private final InterruptService interrupts;
  private final LoopGateway gateway;
  private final LoopEventListener listener;
  private final ObjectMapper json;
  private final Clock clock;
  private final Set<String> repos;
  private final Duration choiceTimeout;
  private final Duration idempotencyWindow;
  private final AtomicLong lastSweep = new AtomicLong();

  private final InterlockMetrics metrics;

  public LoopService(Jdbi jdbi, InterruptService interrupts, LoopGateway gateway,
      LoopEventListener listener, ObjectMapper json, Clock clock, Set<String> repos,
      Duration choiceTimeout, Duration idempotencyWindow, InterlockMetrics metrics) {
    this.metrics = metrics;
    this.jdbi = jdbi;
    this.interrupts = interrupts;
    this.gateway = gateway;
    this.listener = listener;
    this.json = json;
    this.clock = clock;
    this.repos = Set.copyOf(repos);
    this.choiceTimeout = choiceTimeout;
    this.idempotencyWindow = idempotencyWindow;
    interrupts.onDecision(this::decided);
  }

  private LoopDao dao() {
    return jdbi.onDemand(LoopDao.class);
  }

  // ---- who -------------------------------------------------------------------------

  /**
   * The person a caller acts for, stably: a user's id; for a key (a loopat {@code la_}
   * token, an Interlock key) the user who minted it, so the token and the user's session
   * see the same loops; {@code key:<id>} for keys nobody in particular minted.
   */
  public String personId(Caller caller) {
    if (caller.isUser()) {
      return caller.userId();
    }
    if (caller.keyId() == null) {
      return "review:" + caller.getName();
    }
    return jdbi.withHandle(h -> h.createQuery(
            "select created_by::text from api_keys where id = :id")
        .bind("id", caller.keyId()).mapTo(String.class).findOne())
        .orElse("key:" + caller.keyId());
  }

  private String personName(Caller caller) {
    if (caller.isUser() || caller.keyId() == null) {
      return caller.getName();
    }
    return jdbi.withHandle(h -> h.createQuery("""
            select coalesce(u.username, k.name) from api_keys k
              left join users u on u.id = k.created_by where k.id = :id""")
        .bind("id", caller.keyId()).mapTo(String.class).findOne())
        .orElse(caller.getName());
  }

  // ---- loops -----------------------------------------------------------------------

  public LoopRow create(Caller caller, NewLoop loop) {
    if (loop.repo() != null && !repos.contains(loop.repo())) {
      throw new Refusal(400, "repo_not_found", "No repo named " + loop.repo()
          + " is configured" + (repos.isEmpty() ? "" : " (known: " + String.join(", ",
              repos.stream().sorted().toList()) + ")"));
    }
    String id = "loop_" + UUID.randomUUID();
    LoopRow created = dao().insert(id, caller.ownerId(), personId(caller), personName(caller),
        loop.title(), text(loop.metadata() == null ? json.createObjectNode() : loop.metadata()),
        loop.profiles(), loop.vault(), loop.repo());
    metrics.loopCreated();
    return created;
  }

  /** The caller's own loop: 404 in another workspace, 403 when someone else created it. */
  public LoopRow owned(Caller caller, String id) {
    LoopRow loop = inWorkspace(caller, id);
    if (!loop.createdBy().equals(personId(caller))) {
      throw new Refusal(403, "not_loop_owner", "This loop belongs to someone else");
    }
    return loop;
  }

  /** A loop of the caller's workspace, whoever created it (the dashboard). */
  public LoopRow inWorkspace(Caller caller, String id) {
    if (id == null || id.length() > 100) {
      throw new Refusal(404, "loop_not_found", "No loop " + id);
    }
    return dao().find(caller.ownerId(), id)
        .orElseThrow(() -> new Refusal(404, "loop_not_found", "No loop " + id));
  }

  public LoopPage list(Caller caller, int limit, String after, String before, boolean archived) {
    if (after != null && before != null) {
      throw new InvalidRequest("after and before cannot be used together");
    }
    List<LoopRow> rows = dao().page(caller.ownerId(), personId(caller), archived, after, before,
        limit + 1);
    boolean more = rows.size() > limit;
    if (more) {
      rows = before == null ? rows.subList(0, limit) : rows.subList(1, rows.size());
    }
    return new LoopPage(List.copyOf(rows), more);
  }

  /** The workspace's loops for the dashboard, most recently active first. */
  public List<LoopRow> workspaceLoops(Caller caller, int limit) {
    return dao().inWorkspace(caller.ownerId(), false, limit);
  }

  public Runtime runtime(LoopRow loop) {
    List<LoopTurnRow> open = dao().openTurns(loop.id());
    if (open.isEmpty()) {
      return new Runtime(false, 0, null);
    }
    LoopTurnRow current = open.stream().filter(t -> "running".equals(t.status())).findFirst()
        .orElse(open.get(0));
    return new Runtime(true, open.size() - 1, current);
  }

  public void archive(Caller caller, String id) {
    LoopRow loop = owned(caller, id);
    dao().archive(caller.ownerId(), loop.id());
    gateway.archive(loop.id());
    log.info("loop {} archived by {}", loop.id(), caller.actor());
  }

  // ---- messages ----------------------------------------------------------------------

  public Sent send(Caller caller, String loopId, String content, String permissionMode,
      String idempotencyKey) {
    LoopRow loop = owned(caller, loopId);
    String person = personId(caller);
    String hash = ApiKeySql.sha256Hex(loopId + "\u0000" + (permissionMode == null ? ""
        : permissionMode) + "\u0000" + content);
    Instant since = clock.instant().minus(idempotencyWindow);
    sweepIdempotency(since);
    if (idempotencyKey != null) {
      Optional<Sent> earlier = replay(person, idempotencyKey, hash, since);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    if (loop.archived()) {
      throw new Refusal(400, "loop_archived", "Cannot send messages to an archived loop");
    }
    String turnId = "turn_" + UUID.randomUUID();
    // One sender at a time per loop, on every instance, from the turn's number to its
    // signal: the loop's workflow hears of turns in the order of their numbers. (Signalling
    // inside the transaction would not do: the worker could look for the turn before it
    // is committed.)
    Sent sent = jdbi.withHandle(h -> {
      h.createQuery("select pg_advisory_lock(hashtext(:loop))").bind("loop", loopId)
          .mapTo(String.class).one();
      try {
        Sent accepted;
        try {
          accepted = h.inTransaction(tx -> {
            LoopDao dao = tx.attach(LoopDao.class);
            long head = tx.createQuery("select next_seq from loops where id = :id for update")
                .bind("id", loopId).mapTo(Long.class).one();
            List<LoopTurnRow> open = dao.openTurns(loopId);
            LoopTurnRow turn = dao.insertTurn(turnId, loopId, content, permissionMode);
            if (idempotencyKey != null
                && dao.recordIdempotency(person, idempotencyKey, hash, loopId, turnId, since)
                    == 0) {
              throw new KeyTaken();
            }
            if (!open.isEmpty()) {
              dao.append(loopId, turnId, "queued",
                  text(json.createObjectNode().put("position", open.size())), "queued:" + turnId);
            }
            return new Sent(loop, turn, head, false);
          });
        } catch (KeyTaken raced) {
          return null;
        }
        try {
          gateway.enqueue(loopId, new TurnRef(turnId, accepted.turn().number()));
        } catch (RuntimeException e) {
          // Not acknowledged: the turn must not run later behind the caller's back.
          h.useTransaction(tx -> {
            LoopDao dao = tx.attach(LoopDao.class);
            if (dao.finishTurn(turnId, "error", "unavailable", e.getMessage()) > 0) {
              dao.append(loopId, turnId, "error", text(json.createObjectNode()
                  .put("code", "unavailable").put("message", "The turn could not be queued")
                  .put("turn_id", turnId)), "end:" + turnId);
            }
            if (idempotencyKey != null) {
              tx.execute("delete from loop_idempotency where caller_id = ? and key = ?", person,
                  idempotencyKey);
            }
          });
          throw e;
        }
        return accepted;
      } finally {
        h.createQuery("select pg_advisory_unlock(hashtext(:loop))").bind("loop", loopId)
            .mapTo(Boolean.class).one();
      }
    });
    if (sent == null) {
      // A concurrent request with the same key won: answer as its repeat would be answered.
      return replay(person, idempotencyKey, hash, since).orElseThrow(() -> new Conflict(
          "This Idempotency-Key is in use by a request that is still being accepted"));
    }
    log.info("loop {}: turn {} (#{}) queued by {}", loopId, turnId, sent.turn().number(),
        caller.actor());
    metrics.turnQueued();
    return sent;
  }

  private Optional<Sent> replay(String person, String key, String hash, Instant since) {
    Optional<LoopIdempotencyRow> row = dao().idempotency(person, key, since);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    if (!row.get().requestHash().equals(hash)) {
      throw new Refusal(409, "idempotency_key_reused",
          "This Idempotency-Key was used with a different request");
    }
    LoopDao dao = dao();
    LoopRow loop = dao.byId(row.get().loopId()).orElseThrow();
    LoopTurnRow turn = dao.turn(row.get().turnId()).orElseThrow();
    long after = dao.firstSeq(turn.id()).map(s -> s - 1).orElse(loop.nextSeq());
    return Optional.of(new Sent(loop, turn, after, true));
  }

  private void sweepIdempotency(Instant since) {
    long now = clock.millis();
    long last = lastSweep.get();
    if (now - last > 60_000 && lastSweep.compareAndSet(last, now)) {
      int gone = dao().forgetIdempotency(since);
      if (gone > 0) {
        log.debug("forgot {} Idempotency-Keys of loop messages", gone);
      }
    }
  }

  /** Interrupts the running turn and ends the queued ones. */
  public void interrupt(Caller caller, String loopId) {
    LoopRow loop = owned(caller, loopId);
    gateway.interrupt(loop.id());
    log.info("loop {} interrupted by {}", loop.id(), caller.actor());
  }

  // ---- streams -----------------------------------------------------------------------

  public void subscribe(LoopEventListener.Subscriber subscriber) {
    listener.subscribe(subscriber);
  }

  public List<LoopEventRow> eventsAfter(String loopId, long seq, int limit) {
    return dao().eventsAfter(loopId, seq, limit);
  }

  /** The running turn as it stands, for a stream that joins it; empty when none runs. */
  public Optional<Snapshot> snapshot(LoopRow loop) {
    LoopDao dao = dao();
    long head = dao.byId(loop.id()).map(LoopRow::nextSeq).orElse(0L);
    Runtime now = runtime(loop);
    if (now.currentTurn() == null || !"running".equals(now.currentTurn().status())) {
      return Optional.empty();
    }
    LoopTurnRow turn = now.currentTurn();
    String text = jdbi.withHandle(h -> h.createQuery("""
            select coalesce(string_agg(data ->> 'text', '' order by seq), '') from loop_events
             where turn_id = :turn and event = 'assistant_delta' and seq <= :head""")
        .bind("turn", turn.id()).bind("head", head).mapTo(String.class).one());
    return Optional.of(new Snapshot(turn.id(), text, turn.pendingChoice(), head));
  }

  /** The sequence number of the loop's latest event. */
  public long head(String loopId) {
    return dao().byId(loopId).map(LoopRow::nextSeq).orElse(0L);
  }

  public Optional<LoopTurnRow> turn(String turnId) {
    return dao().turn(turnId);
  }

  // ---- the dashboard's transcript -----------------------------------------------------

  /** A turn with the start of its message; {@code shortened}: the message goes on. */
  public record TurnMessage(LoopTurnRow turn, String message, boolean shortened) {}

  /**
   * A loop's latest turns and their events, for a page that shows them and then follows
   * the loop live from {@code seq} (every event up to it is in {@code events}; none after).
   *
   * @param earlier how many older turns are not shown
   * @param events the shown turns' events, in order
   */
  public record Transcript(List<TurnMessage> turns, int earlier, List<LoopEventRow> events,
      long seq) {}

  /**
   * The loop's latest {@code maxTurns} turns, each message cut to {@code maxChars}
   * characters, with their events. Turns that arrive while this reads are included, so
   * every event up to {@code seq} belongs to a turn listed.
   */
  public Transcript transcript(LoopRow loop, int maxTurns, int maxChars) {
    LoopDao dao = dao();
    LoopRow now = dao.byId(loop.id()).orElse(loop);
    int from = Math.max(1, now.turnCount() - maxTurns + 1);
    // Read before the events: an event appended after this is after it, and read below.
    long head = now.nextSeq();
    long after = from == 1 ? 0 : dao.firstSeqFrom(loop.id(), from).map(s -> s - 1).orElse(head);
    List<LoopEventRow> all = new ArrayList<>();
    long seq = after;
    while (true) {
      List<LoopEventRow> batch = dao.eventsAfter(loop.id(), seq, 1000);
      all.addAll(batch);
      if (!batch.isEmpty()) {
        seq = batch.get(batch.size() - 1).seq();
      }
      if (batch.size() < 1000) {
        break;
      }
    }
    // The turns after the events, so that a turn whose first event was just read is known.
    List<LoopTurnRow> rows = dao.turnsFrom(loop.id(), from);
    Map<String, String> messages = dao.messagesFrom(loop.id(), from, maxChars + 1);
    Set<String> shown = new HashSet<>();
    List<TurnMessage> turns = rows.stream().map(t -> {
      shown.add(t.id());
      return message(t, messages.get(t.id()), maxChars);
    }).toList();
    List<LoopEventRow> events = all.stream()
        .filter(e -> e.turnId() == null || shown.contains(e.turnId())).toList();
    return new Transcript(turns, from - 1, events, seq);
  }

  /** One turn of the loop with the start of its message (a turn a live page has not seen). */
  public Optional<TurnMessage> turnMessage(String loopId, String turnId, int maxChars) {
    LoopDao dao = dao();
    return dao.turn(turnId).filter(t -> t.loopId().equals(loopId))
        .map(t -> message(t, dao.message(turnId, maxChars + 1).orElse(""), maxChars));
  }

  private static TurnMessage message(LoopTurnRow turn, String text, int maxChars) {
    String m = text == null ? "" : text;
    return m.length() > maxChars ? new TurnMessage(turn, m.substring(0, maxChars), true)
        : new TurnMessage(turn, m, false);
  }

  /** A choice of the loop, answered or not; empty for a choice of another loop. */
  public Optional<LoopChoiceRow> choice(LoopRow loop, String choiceId) {
    if (choiceId == null || choiceId.length() > 100) {
      return Optional.empty();
    }
    return dao().choice(choiceId).filter(c -> c.loopId().equals(loop.id()));
  }

  // ---- choices -----------------------------------------------------------------------

  /** The turn a caller's key belongs to, while the turn runs (its agent's MCP calls). */
  public Optional<LoopTurnRow> turnOf(Caller caller) {
    if (caller.keyId() == null || !caller.keyId().startsWith("turn-key-")) {
      return Optional.empty();
    }
    return dao().runningTurnOfKey(caller.keyId());
  }

  /**
   * The agent of {@code turn} asks to use a tool (or, with {@code AskUserQuestion}, asks
   * questions): an interrupt of the core, assigned to the loop's creator, that the owner's
   * policies may settle at once. While it is pending it is the turn's choice, announced as
   * {@code requires_choice}.
   */
  public InterruptRow ask(Caller caller, LoopTurnRow turn, String toolName, ObjectNode input,
      String toolUseId) {
    LoopRow loop = dao().byId(turn.loopId()).orElseThrow();
    boolean question = "AskUserQuestion".equals(toolName);
    ArrayNode questions = question ? questions(input) : null;
    ObjectNode context = json.createObjectNode()
        .put("loop_id", loop.id()).put("loop_title", loop.title()).put("turn_id", turn.id())
        .put("tool_name", toolName).put("kind", question ? "question" : "permission");
    if (toolUseId != null) {
      context.put("tool_use_id", toolUseId);
    }
    String action;
    String requestType = null;
    ArrayNode options = null;
    if (question) {
      action = questions.size() == 1 ? questions.get(0).path("question").asText("Question")
          : questions.size() + " questions";
      action = action.length() > 500 ? action.substring(0, 500) : action;
      requestType = "input";
      if (questions.size() == 1 && questions.get(0).path("options").size() > 0
          && !questions.get(0).path("multi_select").asBoolean(false)) {
        requestType = "choice";
        options = json.createArrayNode();
        for (JsonNode o : questions.get(0).path("options")) {
          options.add(o.asText());
        }
      }
    } else {
      action = toolName;
    }
    Instant now = clock.instant();
    Instant expiresAt = now.plus(choiceTimeout == null ? NO_TIMEOUT : choiceTimeout)
        .truncatedTo(ChronoUnit.SECONDS);
    CreateInterrupt command = new CreateInterrupt(SOURCE, loop.id(), null, action, context,
        input, Urgency.NORMAL, expiresAt, null,
        toolUseId == null ? null : "loopat:" + turn.id() + ":" + toolUseId, requestType, options,
        null).withAssignee(loop.creatorName());
    InterruptRow row = interrupts.createSettled(caller, command).interrupt();
    if (row.isPending()) {
      String choiceId = choiceId(row.id());
      ObjectNode payload = question ? json.createObjectNode().set("questions", questions)
          : permissionPayload(toolName, input);
      ObjectNode event = json.createObjectNode().put("choice_id", choiceId)
          .put("kind", question ? "question" : "permission");
      event.set("payload", payload);
      jdbi.useTransaction(h -> {
        LoopDao dao = h.attach(LoopDao.class);
        dao.insertChoice(choiceId, row.id(), loop.id(), turn.id(),
            question ? "question" : "permission", text(payload));
        dao.setPendingChoice(turn.id(), choiceId);
        dao.append(loop.id(), turn.id(), "requires_choice", text(event), "choice:" + choiceId);
      });
      log.info("loop {} turn {}: choice {} ({}) asked", loop.id(), turn.id(), choiceId, action);
    }
    return row;
  }

  public static String choiceId(String interruptId) {
    return "choice_" + interruptId;
  }

  /**
   * What the agent runs with when the choice was allowed: the input as the person left it;
   * for questions, with the answers the way Claude Code reads them (question text → answer).
   */
  public ObjectNode allowedInput(InterruptRow row, ObjectNode input) {
    JsonNode edited = row.modifiedParams();
    ObjectNode out = edited != null && edited.isObject() ? (ObjectNode) edited.deepCopy()
        : input.deepCopy();
    if (out.has("answers") || row.response() == null || !input.has("questions")) {
      return out;
    }
    ObjectNode answers = out.putObject("answers");
    for (JsonNode q : input.path("questions")) {
      answers.put(q.path("question").asText(), row.response());
    }
    return out;
  }

  /**
   * The waiter's view of a choice's end: records it as resolved unless the deciding door
   * already did (a decision taken elsewhere while this instance waited). Expired or
   * cancelled choices only stop being the turn's pending one.
   */
  public void settled(InterruptRow row) {
    if (row.isPending()) {
      return;
    }
    dao().choiceOfInterrupt(row.id()).ifPresent(choice -> {
      if ("approved".equals(row.status()) || "rejected".equals(row.status())) {
        // The deciding door resolves the choice with its own source (web or api) just after
        // the decision is recorded, which may be after this waiter woke: it is given a
        // moment, so that a decision on a web page is not announced as the API's.
        LoopChoiceRow now = resolvedByTheDecider(choice);
        if (now.resolvedAt() == null) {
          resolve(now, "api"); // the deciding instance went away before it could
        }
      } else {
        dao().clearPendingChoice(choice.turnId(), choice.id());
      }
    });
  }

  /** The choice once its decider resolved it, or as it stands after {@link #DECIDER_GRACE}. */
  private LoopChoiceRow resolvedByTheDecider(LoopChoiceRow choice) {
    long deadline = System.nanoTime() + DECIDER_GRACE.toNanos();
    LoopChoiceRow now = choice;
    while (now.resolvedAt() == null && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      now = dao().choice(choice.id()).orElse(now);
    }
    return now;
  }

  /** How long a choice's waiter leaves its resolution to the door that decided it. */
  static final Duration DECIDER_GRACE = Duration.ofSeconds(2);

  /** A decision through any door: a loop's choice is resolved, and the loop hears of it. */
  private void decided(Caller caller, InterruptRow row) {
    if (!SOURCE.equals(row.source())) {
      return;
    }
    dao().choiceOfInterrupt(row.id()).ifPresent(choice -> resolve(choice,
        caller.kind() == Caller.Kind.USER_SESSION || caller.kind() == Caller.Kind.REVIEW_LINK
            ? "web" : "api"));
  }

  private void resolve(LoopChoiceRow choice, String source) {
    jdbi.useTransaction(h -> {
      LoopDao dao = h.attach(LoopDao.class);
      dao.resolveChoice(choice.id(), source);
      dao.clearPendingChoice(choice.turnId(), choice.id());
      dao.append(choice.loopId(), choice.turnId(), "choice_resolved", text(json.createObjectNode()
          .put("choice_id", choice.id()).put("source", source)), "resolved:" + choice.id());
    });
  }

  /**
   * loopat's {@code POST /choices/{id}}: {@code allow} answers a permission, {@code answers}
   * (question id → value) a question. A choice that is unknown, of another loop, or no
   * longer waiting is {@code choice_not_found}.
   */
  public void answer(Caller caller, String loopId, String choiceId, Answer answer) {
    LoopRow loop = owned(caller, loopId);
    LoopChoiceRow choice = (choiceId == null ? Optional.<LoopChoiceRow>empty()
        : dao().choice(choiceId))
        .filter(c -> c.loopId().equals(loop.id()) && c.resolvedAt() == null)
        .orElseThrow(() -> new Refusal(404, "choice_not_found", "No pending choice " + choiceId));
    try {
      if ("permission".equals(choice.kind())) {
        if (answer.allow() == null) {
          throw new Refusal(400, "missing_allow", "A permission choice is answered with"
              + " {\"allow\": true} or {\"allow\": false}");
        }
        interrupts.decide(caller, choice.interruptId(),
            answer.allow() ? Decision.APPROVED : Decision.REJECTED, null, null, null);
        return;
      }
      if (answer.answers() == null || answer.answers().isEmpty()) {
        throw new Refusal(400, "missing_answers", "A question choice is answered with"
            + " {\"answers\": {\"<question_id>\": \"<value>\"}}");
      }
      JsonNode asked = choice.payload().path("questions");
      ObjectNode byText = json.createObjectNode();
      for (Map.Entry<String, String> a : answer.answers().entrySet()) {
        JsonNode q = question(asked, a.getKey());
        if (q == null) {
          throw new Refusal(400, "unknown_question", "The choice asks no question "
              + a.getKey());
        }
        byText.put(q.path("question").asText(), a.getValue());
      }
      InterruptRow row = interrupts.get(caller, choice.interruptId());
      ObjectNode input = row.params() != null && row.params().isObject()
          ? ((ObjectNode) row.params()).deepCopy() : json.createObjectNode();
      input.set("answers", byText);
      String response = answer.answers().size() == 1
          ? answer.answers().values().iterator().next() : text(byText);
      interrupts.decide(caller, choice.interruptId(), Decision.APPROVED, null, input, response,
          null);
    } catch (Conflict | NotFound gone) {
      // Answered meanwhile (through another door) or withdrawn: it no longer waits.
      throw new Refusal(404, "choice_not_found", "Choice " + choiceId + " is no longer pending");
    }
  }

  private static JsonNode question(JsonNode asked, String id) {
    for (JsonNode q : asked) {
      if (id.equals(q.path("id").asText())) {
        return q;
      }
    }
    return null;
  }

  /** Claude Code's AskUserQuestion input → loopat's questions (ids q1, q2, ...). */
  private ArrayNode questions(ObjectNode input) {
    ArrayNode out = json.createArrayNode();
    int n = 0;
    for (JsonNode q : input.path("questions")) {
      n++;
      ObjectNode item = out.addObject().put("id", "q" + n)
          .put("question", q.path("question").asText(""));
      if (q.hasNonNull("header")) {
        item.put("header", q.path("header").asText());
      }
      ArrayNode options = item.putArray("options");
      for (JsonNode o : q.path("options")) {
        options.add(o.isObject() ? o.path("label").asText() : o.asText());
      }
      item.put("multi_select", q.path("multiSelect").asBoolean(false));
    }
    if (n == 0) {
      out.addObject().put("id", "q1").put("question", "The agent has a question")
          .putArray("options");
    }
    return out;
  }

  private ObjectNode permissionPayload(String tool, ObjectNode input) {
    ObjectNode payload = json.createObjectNode().put("tool", tool);
    String command = input.hasNonNull("command") ? input.get("command").asText()
        : input.hasNonNull("file_path") ? input.get("file_path").asText()
        : input.hasNonNull("url") ? input.get("url").asText() : null;
    if (command != null) {
      payload.put("command", command);
    }
    if (input.hasNonNull("description")) {
      payload.put("reason", input.get("description").asText());
    }
    payload.set("input", input);
    return payload;
  }

  // ---- recovery --------------------------------------------------------------------

  /**
   * After a start on a Temporal that forgot everything (embedded): a turn that was running
   * has lost its agent ({@code runner_lost}), queued turns are queued again in order. On a
   * Temporal that keeps its workflows this is not called: the loops' workflows go on.
   */
  public int[] recoverEmbedded() {
    int lost = 0;
    int requeued = 0;
    for (String loopId : dao().loopsWithOpenTurns()) {
      for (LoopTurnRow turn : dao().openTurns(loopId)) {
        if ("running".equals(turn.status())) {
          endLost(loopId, turn);
          lost++;
        } else {
          try {
            gateway.enqueue(loopId, new TurnRef(turn.id(), turn.number()));
            requeued++;
          } catch (RuntimeException e) {
            log.warn("loop {}: turn {} not queued again: {}", loopId, turn.id(), e.getMessage());
          }
        }
      }
    }
    if (lost + requeued > 0) {
      log.info("loops recovered: {} running turn(s) ended as runner_lost, {} queued turn(s)"
          + " queued again", lost, requeued);
    }
    return new int[] {lost, requeued};
  }

  private void endLost(String loopId, LoopTurnRow turn) {
    jdbi.useTransaction(h -> {
      LoopDao dao = h.attach(LoopDao.class);
      if (dao.finishTurn(turn.id(), "error", "runner_lost", RUNNER_LOST) > 0) {
        dao.append(loopId, turn.id(), "error", text(json.createObjectNode()
            .put("code", "runner_lost").put("message", RUNNER_LOST).put("turn_id", turn.id())),
            "end:" + turn.id());
      }
      if (turn.keyId() != null) {
        h.execute("update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ?",
            turn.keyId());
      }
    });
    if (turn.pendingChoice() != null) {
      dao().choice(turn.pendingChoice()).ifPresent(c ->
          gateway.withdraw(c.interruptId(), "The turn's agent was lost in a restart"));
    }
  }

  static final String RUNNER_LOST = "Interlock restarted during the turn and its agent was"
      + " lost; the turn cannot resume (the agent may already have acted), so it ends here."
      + " Send the message again to retry.";

  private String text(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A concurrent request recorded the same Idempotency-Key first. */
  private static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super(null, null, false, false);
    }
  }
}
