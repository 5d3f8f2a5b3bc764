package dev.interlock.server.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.model.AuditEntryRow;
import dev.interlock.model.CountRow;
import dev.interlock.store.InterruptDao;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.store.NewInterrupt;
import dev.interlock.server.metrics.InterlockMetrics;
import dev.interlock.worker.CallbackTargetGuard;
import dev.interlock.worker.LogContext;
import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.workflows.CancelCommand;
import dev.interlock.workflows.DecideCommand;
import dev.interlock.workflows.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The core of every dialect: create, read, wait for, decide and cancel interrupts. Reads
 * come from PostgreSQL; every state change goes through the interrupt's workflow, which
 * projects it into PostgreSQL before the call returns.
 */
public final class InterruptService {

  private final Jdbi jdbi;
  private final InterruptGateway gateway;
  private final WorkflowStarter starter;
  private final TransitionListener transitions;
  private final CallbackTargetGuard callbackGuard;
  private final ObjectMapper json;
  private final Clock clock;
  private final Executor readers;
  private final WebhookEvents webhookEvents;
  private final Deliveries deliveries;
  private final List<DecisionListener> decisionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final InterlockMetrics metrics;

  /**
   * Hears of every decision taken through this service, once it is recorded and before the
   * call returns (loops turn a decided choice into their {@code choice_resolved} event).
   */
  @FunctionalInterface
  public interface DecisionListener {
    void decided(Caller caller, InterruptRow row);
  }

  public InterruptService(Jdbi jdbi, InterruptGateway gateway, WorkflowStarter starter,
      TransitionListener transitions, CallbackTargetGuard callbackGuard, ObjectMapper json,
      Clock clock, Executor readers, Deliveries deliveries, WebhookEvents webhookEvents,
      InterlockMetrics metrics) {
    this.metrics = metrics;
    this.webhookEvents = webhookEvents;
    this.deliveries = deliveries;
    this.jdbi = jdbi;
    this.gateway = gateway;
    this.starter = starter;
    this.transitions = transitions;
    this.callbackGuard = callbackGuard;
    this.json = json;
    this.clock = clock;
    this.readers = readers;
  }

  public void onDecision(DecisionListener listener) {
    decisionListeners.add(listener);
  }

  /**
   * Persists the interrupt (row + "created" event) and starts its workflow. If the start
   * fails the row is still there, pending, and the next recovery pass (or a retry of the
   * same Idempotency-Key) starts it: an acknowledged create is never lost.
   */
  public Created create(Caller caller, CreateInterrupt command) {
    if (command.callbackUrl() != null) {
      try {
        callbackGuard.check(command.callbackUrl());
      } catch (CallbackTargetGuard.ForbiddenTarget e) {
        throw new InvalidRequest(e.getMessage());
      }
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    NewInterrupt row = new NewInterrupt(UUID.randomUUID().toString(), caller.ownerId(),
        command.source(), command.agentId(), command.userId(), command.action(),
        command.urgency().stored(), now, command.expiresAt().truncatedTo(ChronoUnit.MICROS),
        command.callbackUrl(), command.idempotencyKey(), command.requestType(),
        command.sessionId(), command.reviewers(), command.requiredApprovals(),
        command.assignee());
    ObjectNode createdDetails = json.createObjectNode()
        .put("source", command.source())
        .put("agentId", command.agentId())
        .put("urgency", command.urgency().stored())
        .put("actorId", caller.actorId());
    if (!command.reviewers().isEmpty()) {
      createdDetails.set("reviewers", json.valueToTree(command.reviewers()));
    }
    if (command.requiredApprovals() > 1) {
      createdDetails.put("requiredApprovals", command.requiredApprovals());
    }
    List<String> newDeliveries = new java.util.ArrayList<>();
    InterruptRow stored = jdbi.inTransaction(h -> {
      InterruptRow created = InterruptSql.insertCreated(h, row, command.context(),
          command.params(), command.options(), caller.actor(), createdDetails).orElse(null);
      if (created == null) {
        return null; // the idempotency key was used before
      }
      InterruptSql.notifyCreated(h, created.id()); // live dashboards, every instance
      newDeliveries.addAll(webhookEvents.enqueue(h, created, "request.created"));
      return created;
    });
    if (stored == null) {
      InterruptRow earlier = jdbi.withHandle(
          h -> InterruptSql.findByIdempotencyKey(h, caller.ownerId(), command.idempotencyKey()))
          .orElseThrow(() -> new Conflict("Idempotency-Key is in use"));
      if (earlier.isPending()) {
        starter.ensureWorkflow(earlier); // the first attempt may have died before starting it
      }
      return new Created(earlier, true);
    }
    metrics.created(stored.source());
    try (var logged = LogContext.interrupt(stored.id())) {
      starter.ensureWorkflow(stored);
    }
    deliveries.startAll(newDeliveries);
    return new Created(stored, false);
  }

  /**
   * Creates an interrupt and waits until its policies have had their say, so a request an
   * owner's policy decides comes back from the create call already decided.
   */
  public Created createSettled(Caller caller, CreateInterrupt command) {
    Created created = create(caller, command);
    return new Created(settle(caller, created.interrupt()), created.replayed());
  }

  /**
   * Waits until a created interrupt's policies have had their say (see
   * {@link #createSettled}) and answers it as it stands then.
   *
   * @throws TemporarilyUnavailable when its workflow does not answer in time; the interrupt
   *     stays stored and pending, and its workflow runs when Temporal does
   */
  public InterruptRow settle(Caller caller, InterruptRow created) {
    if (!created.isPending()) {
      return created;
    }
    gateway.settled(created.id());
    return get(caller, created.id());
  }

  /** The caller's interrupt created with {@code idempotencyKey}, if there is one. */
  public Optional<InterruptRow> byIdempotencyKey(Caller caller, String idempotencyKey) {
    return jdbi.withHandle(
        h -> InterruptSql.findByIdempotencyKey(h, caller.ownerId(), idempotencyKey));
  }

  /**
   * AgentGate's list, one page with the total; {@code status} and {@code urgency} in core
   * words. Page and count are read in one transaction so they agree.
   */
  public Page<InterruptRow> list(Caller caller, String status, String action, String urgency,
      int limit, int offset) {
    return jdbi.inTransaction(h -> {
      InterruptDao dao = h.attach(InterruptDao.class);
      return new Page<>(dao.list(caller.ownerId(), status, action, urgency, limit, offset),
          dao.count(caller.ownerId(), status, action, urgency), limit, offset);
    });
  }

  /** Pending work of the caller's owner: counts by urgency and the age of the oldest. */
  public record QueueStats(long totalPending, List<CountRow> byUrgency, Instant oldestPending) {}

  public QueueStats queueStats(Caller caller) {
    return jdbi.withExtension(InterruptDao.class, dao -> {
      List<CountRow> byUrgency = dao.pendingByUrgency(caller.ownerId());
      long total = byUrgency.stream().mapToLong(CountRow::count).sum();
      return new QueueStats(total, byUrgency, dao.oldestPending(caller.ownerId()));
    });
  }

  /**
   * Records that an approved action was executed (AgentGate's confirm), once: audit event
   * {@code confirmed} with the result and the {@code request.confirmed} webhook.
   */
  public InterruptRow confirm(Caller caller, String id, String actor,
      com.fasterxml.jackson.databind.JsonNode result) {
    InterruptRow current = get(caller, id);
    if (!"approved".equals(current.status())) {
      throw new Conflict("Only an approved request can be confirmed; this one is "
          + current.status());
    }
    List<String> newDeliveries = new java.util.ArrayList<>();
    InterruptRow confirmed = jdbi.inTransaction(h -> {
      if (h.attach(InterruptDao.class).confirm(id, result) == 0) {
        throw new Conflict("Request is already confirmed");
      }
      ObjectNode details = json.createObjectNode();
      if (result != null) {
        details.set("result", result);
      }
      details.put("actorId", caller.actorId());
      InterruptSql.insertEvent(h, id, "confirmed", actor, details);
      InterruptRow row = InterruptSql.find(h, id).orElseThrow();
      newDeliveries.addAll(webhookEvents.enqueue(h, row, "request.confirmed"));
      return row;
    });
    deliveries.startAll(newDeliveries);
    return confirmed;
  }

  public InterruptRow get(Caller caller, String id) {
    return find(caller, id).orElseThrow(InterruptService::notFound);
  }

  /**
   * Completes with the interrupt as soon as it is no longer pending, or after
   * {@code wait} with its current state. Holds no thread while waiting. Cancel the future
   * to give the wait up: its waiter is unregistered at once.
   */
  public CompletableFuture<InterruptRow> awaitDecision(Caller caller, String id, Duration wait) {
    if (wait.isZero()) {
      return CompletableFuture.completedFuture(get(caller, id));
    }
    CompletableFuture<Void> woken = transitions.register(id);
    InterruptRow now;
    try {
      now = get(caller, id);
    } catch (RuntimeException e) {
      transitions.unregister(id, woken);
      throw e;
    }
    if (!now.isPending()) {
      transitions.unregister(id, woken);
      return CompletableFuture.completedFuture(now);
    }
    CompletableFuture<InterruptRow> answer = woken
        .completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> transitions.unregister(id, woken))
        .thenApplyAsync(v -> get(caller, id), readers);
    // Cancelling the answer (its client went away) ends the wait and unregisters it at
    // once; a cancelled stage does not reach back to the future it depends on by itself.
    answer.whenComplete((row, e) -> {
      if (answer.isCancelled()) {
        woken.cancel(false);
      }
    });
    return answer;
  }

  public InterruptRow decide(Caller caller, String id, Decision decision, String reason,
      com.fasterxml.jackson.databind.JsonNode modifiedParams, String requestKey) {
    return decide(caller, id, decision, reason, modifiedParams, null, requestKey);
  }

  /** A decision that may carry the person's answer (a chosen option or free text). */
  public InterruptRow decide(Caller caller, String id, Decision decision, String reason,
      com.fasterxml.jackson.databind.JsonNode modifiedParams, String response,
      String requestKey) {
    return decideAs(caller, caller.actor(), id, decision, reason, modifiedParams, response,
        requestKey);
  }

  /**
   * A decision recorded under a name the caller chose (AgentGate's {@code decidedBy}). The
   * id beside it is always the caller's own, so a name chosen per call cannot count as a
   * second approver of a quorum.
   *
   * <p>On an interrupt that needs several approvals, an approval short of the quorum is
   * recorded and the interrupt, still pending, is returned; the same caller approving again
   * is a {@link Conflict}.
   */
  public InterruptRow decideAs(Caller caller, String actor, String id, Decision decision,
      String reason, com.fasterxml.jackson.databind.JsonNode modifiedParams, String response,
      String requestKey) {
    if (caller.isUser() || caller.kind() == Caller.Kind.REVIEW_LINK) {
      InterruptRow current = get(caller, id);
      Deciders.check(caller, current.reviewers(), current.requiredApprovals(),
          caller.isUser() ? AskedNames.of(jdbi, caller) : List.of());
    }
    DecideCommand command = new DecideCommand(decision, reason, modifiedParams, actor, response,
        caller.actorId());
    String updateId = updateId("decide", caller, id, requestKey);
    InterruptRow row;
    try (var logged = LogContext.interrupt(id)) {
      row = transition(caller, id, updateId, () -> gateway.decide(id, command, updateId));
    }
    if (!row.isPending()) {
      for (DecisionListener listener : decisionListeners) {
        try {
          listener.decided(caller, row);
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(InterruptService.class)
              .warn("a decision listener failed for interrupt {}", id, e);
        }
      }
    }
    return row;
  }

  public InterruptRow cancel(Caller caller, String id, String reason, String requestKey) {
    CancelCommand command = new CancelCommand(caller.actor(), reason, caller.actorId());
    String updateId = updateId("cancel", caller, id, requestKey);
    try (var logged = LogContext.interrupt(id)) {
      return transition(caller, id, updateId, () -> gateway.cancel(id, command, updateId));
    }
  }

  /** How many interrupts wait for a decision in the whole store (the metrics gauge). */
  public long pendingCount() {
    return jdbi.withExtension(InterruptDao.class, InterruptDao::countPending);
  }

  /**
   * What {@code userId} is asked (LoopIn's {@code GET /interrupts/pending/{userId}}): as
   * LoopIn's user, as assignee or among the reviewers; when it names a member of the
   * workspace (by username or user id), also through that member's other name and groups.
   */
  public List<InterruptRow> pendingForUser(Caller caller, String userId, int limit) {
    String[] names = AskedNames.lowered(AskedNames.ofName(jdbi, caller.ownerId(), userId));
    return jdbi.withExtension(InterruptDao.class,
        dao -> dao.pendingAsking(caller.ownerId(), names, limit));
  }

  /** Every pending interrupt of the caller's owner, whatever dialect created it. */
  public List<InterruptRow> pending(Caller caller, int limit) {
    return jdbi.withExtension(InterruptDao.class, dao -> dao.pendingForOwner(caller.ownerId(), limit));
  }

  public List<InterruptEventRow> events(Caller caller, String id) {
    get(caller, id);
    return jdbi.withExtension(InterruptDao.class, dao -> dao.events(id));
  }

  /**
   * Filters of the owner-wide audit log, each optional (null), in core words; {@code from}
   * and {@code to} bound the event time inclusively.
   */
  public record AuditQuery(String requestId, String action, String status, String event,
      String actor, Instant from, Instant to, int limit, int offset) {}

  /**
   * The audit events of every interrupt of the caller's owner, newest first, one page with
   * the total. Filters that match nothing (an unknown request, actor or event) give an empty
   * page, never a 404.
   */
  public Page<AuditEntryRow> auditLog(Caller caller, AuditQuery q) {
    if (q.requestId() != null && !isUuid(q.requestId())) {
      return new Page<>(List.of(), 0, q.limit(), q.offset()); // no interrupt has such an id
    }
    return jdbi.inTransaction(h -> {
      InterruptDao dao = h.attach(InterruptDao.class);
      return new Page<>(dao.auditLog(caller.ownerId(), q.requestId(), q.action(), q.status(),
          q.event(), q.actor(), q.from(), q.to(), q.limit(), q.offset()),
          dao.auditCount(caller.ownerId(), q.requestId(), q.action(), q.status(), q.event(),
              q.actor(), q.from(), q.to()), q.limit(), q.offset());
    });
  }

  /** At most this many distinct actors are listed, so the answer stays bounded. */
  public static final int MAX_ACTORS = 1000;

  /** The distinct actors of the caller's owner's audit events, alphabetically. */
  public List<String> auditActors(Caller caller) {
    return jdbi.withExtension(InterruptDao.class,
        dao -> dao.auditActors(caller.ownerId(), MAX_ACTORS));
  }

  /** Counts for one end user of one owner. */
  public record Analytics(long total, List<CountRow> byStatus, List<CountRow> byUrgency,
      List<CountRow> topActions, Double avgDecisionMillis) {}

  public Analytics analytics(Caller caller, String userId) {
    return jdbi.withExtension(InterruptDao.class, dao -> {
      List<CountRow> byStatus = dao.countByStatus(caller.ownerId(), userId);
      long total = byStatus.stream().mapToLong(CountRow::count).sum();
      return new Analytics(total, byStatus, dao.countByUrgency(caller.ownerId(), userId),
          dao.topActions(caller.ownerId(), userId, 5),
          dao.avgDecisionMillis(caller.ownerId(), userId));
    });
  }

  private InterruptRow transition(Caller caller, String id, String updateId,
      java.util.function.Supplier<?> send) {
    InterruptRow current = get(caller, id);
    if (!current.isPending()) {
      return settledBy(current, updateId);
    }
    try {
      send.get();
    } catch (InterruptGateway.NoWorkflow e) {
      // The row is pending but its workflow is gone (an embedded restart whose recovery
      // pass has not reached it yet): re-create it and try once more.
      InterruptRow again = get(caller, id);
      if (!again.isPending()) {
        return settledBy(again, updateId);
      }
      starter.ensureWorkflow(again);
      try {
        send.get();
      } catch (InterruptGateway.NoWorkflow stillMissing) {
        return settledBy(get(caller, id), updateId);
      }
    } catch (Conflict lost) {
      // The validator refused it; if it was this very command (a retry racing its
      // original), it is a success all the same.
      InterruptRow now = get(caller, id);
      if (updateId.equals(now.commandId())) {
        return now;
      }
      throw lost;
    }
    return get(caller, id);
  }

  /**
   * An interrupt that is no longer pending: a success if this same command settled it (a
   * retry with the same Idempotency-Key), else 409 with its status.
   */
  private static InterruptRow settledBy(InterruptRow row, String updateId) {
    if (updateId.equals(row.commandId())) {
      return row;
    }
    throw new Conflict("Interrupt is already " + row.status());
  }

  /**
   * The Update id makes a retried HTTP call idempotent: with the caller's Idempotency-Key,
   * the same decision sent twice is applied once and both calls see its result (Temporal
   * deduplicates the Update while it runs; the stored command id answers later retries).
   */
  private static String updateId(String kind, Caller caller, String id, String requestKey) {
    if (requestKey == null || requestKey.isBlank()) {
      return kind + "-" + UUID.randomUUID();
    }
    return kind + "-" + caller.ownerId() + "-" + requestKey;
  }

  private Optional<InterruptRow> find(Caller caller, String id) {
    if (!isUuid(id)) {
      return Optional.empty();
    }
    return jdbi.withHandle(h -> InterruptSql.findOwned(h, id, caller.ownerId()));
  }

  static boolean isUuid(String id) {
    return InterruptId.valueOf(id).wellFormed();
  }

  private static NotFound notFound() {
    return new NotFound("Interrupt not found");
  }
}
