package dev.interlock.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.store.InterruptSql;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.PolicyDao;
import dev.interlock.store.WebhookSql;
import dev.interlock.worker.policy.Policy;
import dev.interlock.worker.policy.PolicyDocuments;
import dev.interlock.worker.policy.PolicyEngine;
import dev.interlock.worker.policy.PolicyMatch;
import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.workflows.ApprovalRecord;
import dev.interlock.workflows.CallbackFailure;
import dev.interlock.workflows.CallbackRequest;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.FailureType;
import dev.interlock.workflows.InterruptActivities;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import dev.interlock.workflows.PolicyOutcome;
import dev.interlock.workflows.PolicyRequest;
import dev.interlock.workflows.TransitionRecord;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interrupt workflow's side effects. Every method is idempotent: Temporal retries an
 * activity whose result it did not see, so a projection may run twice and must not write
 * twice, and a delivered callback must not be marked failed later.
 */
public class InterruptActivitiesImpl implements InterruptActivities {

  private static final Logger log = LoggerFactory.getLogger(InterruptActivitiesImpl.class);

  /** The audit event of an approval towards a quorum that leaves the interrupt pending. */
  public static final String APPROVAL_EVENT = "approval.recorded";

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final OutboundPost outbound;
  private final CallbackTargetGuard guard;
  private final CallbackSecrets secrets;
  private final Renderings renderings;
  private final Clock clock;
  private final Duration requestTimeout;
  private final WebhookEvents webhookEvents;
  private final Deliveries deliveries;
  private final WorkerMetrics metrics;

  /** Without a Temporal client: webhook deliveries are written and left to recovery. */
  public InterruptActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, Renderings renderings) {
    this(jdbi, json, outbound, guard, clock, requestTimeout, renderings, null);
  }

  public InterruptActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, Renderings renderings,
      Deliveries deliveries) {
    this(jdbi, json, outbound, guard, clock, requestTimeout, renderings, deliveries,
        WorkerMetrics.none());
  }

  public InterruptActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, Renderings renderings,
      Deliveries deliveries, WorkerMetrics metrics) {
    this.metrics = metrics;
    this.webhookEvents = new WebhookEvents(renderings, clock);
    this.deliveries = deliveries;
    this.jdbi = jdbi;
    this.json = json;
    this.outbound = outbound;
    this.guard = guard;
    this.secrets = new CallbackSecrets(jdbi);
    this.renderings = renderings;
    this.clock = clock;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public void recordTransition(TransitionRecord transition) {
    projectTransition(transition);
  }

  @Override
  public String projectTransition(TransitionRecord transition) {
    try (var logged = LogContext.interrupt(transition.interruptId())) {
      return project(transition);
    }
  }

  private String project(TransitionRecord transition) {
    InterruptState s = transition.state();
    String id = transition.interruptId();
    ObjectNode details = json.createObjectNode();
    if (s.reason() != null) {
      details.put("reason", s.reason());
    }
    if (s.modifiedParams() != null) {
      details.set("modifiedParams", s.modifiedParams());
    }
    if (s.response() != null) {
      details.put("response", s.response());
    }
    if (s.actorId() != null) {
      details.put("actorId", s.actorId());
    }
    // The approval that completes a quorum is recorded with the others. With one approval
    // required the approver is the only one and no approval row is written.
    boolean completesQuorum = s.status() == InterruptStatus.APPROVED
        && s.approverIds().size() > 1 && s.approverIds().contains(s.actorId());
    if (completesQuorum) {
      details.put("approvals", s.approverIds().size());
    }
    Instant decidedAt = Instant.ofEpochMilli(s.decidedAtMillis());
    List<String> newDeliveries = new ArrayList<>();
    InterruptRow[] changed = new InterruptRow[1];
    // null: this run changed the row; otherwise the status the store already held.
    String stored = jdbi.inTransaction(h -> {
      if (completesQuorum) {
        // Also locks the row if pending, so the sweep cannot expire it before the update.
        InterruptSql.insertApproval(h, id, s.actorId(), s.actor(), decidedAt, s.reason());
      }
      // Row, audit event and NOTIFY in one statement. The activity is retried (and, local,
      // re-run with its workflow task); only the first run that changes the row writes.
      Optional<InterruptRow> updated = InterruptSql.project(h, id, s.status().wire(),
          s.decision() == null ? null : s.decision().wire(), s.reason(), s.modifiedParams(),
          s.actor(), s.actorId(), decidedAt, s.commandId(), s.response(), details);
      if (updated.isEmpty()) {
        InterruptRow row = InterruptSql.find(h, id).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
            "interrupt " + id + " is not in the store", FailureType.UNKNOWN_INTERRUPT.name()));
        if (!row.status().equals(s.status().wire()) && !row.status().equals("expired")) {
          // Only the workflow and the expiry sweep move an interrupt out of pending, so this
          // means the store was changed behind their backs; the workflow's view stays
          // authoritative for the wait.
          log.error("interrupt {}: store says {} but workflow recorded {}", id, row.status(),
              s.status().wire());
          return s.status().wire();
        }
        // A retry of a projection that already committed, or the expiry sweep got there
        // first (the workflow then adopts the expiry).
        return row.status();
      }
      for (String event : WebhookEvents.forTransition(updated.get().status())) {
        newDeliveries.addAll(webhookEvents.enqueue(h, updated.get(), event));
      }
      changed[0] = updated.get();
      return null;
    });
    if (stored == null) {
      // Counted after the commit, by the one run that changed the row.
      metrics.settled(changed[0]);
      if (deliveries != null) {
        deliveries.startAll(newDeliveries);
      }
      return s.status().wire();
    }
    startPendingDeliveries(id); // the first run may have died between commit and start
    return stored;
  }

  @Override
  public String recordApproval(ApprovalRecord approval) {
    String id = approval.interruptId();
    ObjectNode details = json.createObjectNode()
        .put("approvals", approval.approvals())
        .put("required", approval.requiredApprovals())
        .put("actorId", approval.approverId());
    if (approval.reason() != null) {
      details.put("reason", approval.reason());
    }
    return jdbi.inTransaction(h -> {
      InterruptSql.ApprovalWrite write = InterruptSql.insertApproval(h, id, approval.approverId(),
          approval.approver(), Instant.ofEpochMilli(approval.atMillis()), approval.reason());
      if (write.inserted()) {
        // Only the run that recorded the approval writes its event and tells live pages.
        InterruptSql.insertEvent(h, id, APPROVAL_EVENT, approval.approver(), details);
        InterruptSql.notifyApproval(h, id);
      }
      if (write.pending()) {
        return InterruptStatus.PENDING.wire();
      }
      InterruptRow row = InterruptSql.find(h, id).orElseThrow(() ->
          ApplicationFailure.newNonRetryableFailure("interrupt " + id + " is not in the store",
              FailureType.UNKNOWN_INTERRUPT.name()));
      if (!row.status().equals("expired")) {
        // As in projectTransition: only the workflow and the sweep settle an interrupt, so
        // the workflow's view stays authoritative for the wait.
        log.error("interrupt {}: store says {} while the workflow records an approval", id,
            row.status());
        return InterruptStatus.PENDING.wire();
      }
      return row.status();
    });
  }

  /** After the commit (and again on a retry): start what the outbox holds for this interrupt. */
  private void startPendingDeliveries(String interruptId) {
    if (deliveries == null) {
      return;
    }
    List<String> pending = jdbi.withHandle(h -> WebhookSql.pendingDeliveryIds(h, interruptId));
    deliveries.startAll(pending);
  }

  @Override
  public PolicyOutcome evaluatePolicies(PolicyRequest request) {
    try (var logged = LogContext.interrupt(request.interruptId())) {
      return evaluate(request);
    }
  }

  private PolicyOutcome evaluate(PolicyRequest request) {
    String id = request.interruptId();
    return jdbi.inTransaction(h -> {
      InterruptRow row = InterruptSql.find(h, id).orElseThrow(() ->
          ApplicationFailure.newNonRetryableFailure("interrupt " + id + " is not in the store",
              FailureType.UNKNOWN_INTERRUPT.name()));
      List<Policy> policies = h.attach(PolicyDao.class).list(row.ownerId()).stream()
          .map(p -> new Policy(p.id(), p.name(), p.priority(), p.enabled(), p.rules(), p.version()))
          .toList();
      PolicyMatch match = PolicyEngine.evaluate(policies, PolicyDocuments.of(json, row));
      String actor = match.matched() ? "policy:" + match.policyName() : "system:policies";
      String actorId = match.matched() ? "policy:" + match.policyId() : "system:policies";
      ObjectNode details = json.createObjectNode().put("decision", match.decision().wire());
      if (match.matched()) {
        details.put("policyId", match.policyId()).put("policyName", match.policyName())
            .put("policyVersion", match.policyVersion()).put("rule", match.ruleIndex());
      }
      if (match.reviewers() != null) {
        details.set("reviewers", json.valueToTree(match.reviewers()));
      }
      if (match.approvals() != null) {
        details.put("approvals", match.approvals());
      }
      details.put("actorId", actorId);
      InterruptSql.insertEvent(h, id, "policy.evaluated", actor, details);
      return switch (match.decision()) {
        case AUTO_APPROVE -> new PolicyOutcome(Decision.APPROVED, actor,
            "Auto-approved by policy " + match.policyName() + " (v" + match.policyVersion() + ")",
            actorId, null, null);
        case AUTO_DENY -> new PolicyOutcome(Decision.REJECTED, actor,
            "Auto-denied by policy " + match.policyName() + " (v" + match.policyVersion() + ")",
            actorId, null, null);
        case ROUTE_TO_HUMAN -> {
          if (match.reviewers() != null || match.approvals() != null) {
            // In this transaction, so a retry finds them stored (the union and the
            // maximum make storing them twice harmless).
            InterruptSql.route(h, id, match.reviewers(), match.approvals());
          }
          yield PolicyOutcome.toHuman(match.reviewers(), match.approvals());
        }
      };
    });
  }

  @Override
  public void deliverCallback(CallbackRequest request) {
    try (var logged = LogContext.interrupt(request.interruptId())) {
      send(request);
    }
  }

  private void send(CallbackRequest request) {
    String id = request.interruptId();
    InterruptRow row = jdbi.withHandle(h -> InterruptSql.find(h, id))
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
            "interrupt " + id + " is not in the store", FailureType.UNKNOWN_INTERRUPT.name()));
    if (row.callbackUrl() == null || "delivered".equals(row.callbackState())) {
      return;
    }
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    CallbackTargetGuard.Target target;
    try {
      target = guard.target(row.callbackUrl());
    } catch (CallbackTargetGuard.ForbiddenTarget e) {
      recordAttempt(id, attempt, "blocked", null, e.getMessage(), 0);
      metrics.callbackAttempt("blocked", attempt);
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(),
          FailureType.CALLBACK_FORBIDDEN.name());
    }
    String body = renderings.callbackBody(row);
    long t = clock.instant().getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", "Interlock-Callback/1");
    headers.put(CallbackSigner.HEADER, CallbackSigner.header(secrets.forOwner(row.ownerId()), t, body));
    headers.put("X-Interlock-Interrupt-Id", id);
    headers.put("X-Interlock-Attempt", Integer.toString(attempt));
    OutboundPost.Attempt sent = outbound.send(target, requestTimeout, headers, body);
    recordAttempt(id, attempt, sent.outcome(), sent.status(), sent.error(), sent.millis());
    metrics.callbackAttempt(sent.outcome(), attempt);
    sent.throwIfFailed("callback", target.uri().getHost());
    jdbi.useHandle(h -> InterruptSql.setCallbackState(h, id, "delivered"));
    log.info("callback for interrupt {} delivered to {} (attempt {}, HTTP {})", id,
        target.uri().getHost(), attempt, sent.status());
  }

  @Override
  public void recordCallbackFailed(CallbackFailure failure) {
    boolean givenUp = jdbi.inTransaction(h -> {
      InterruptRow row = InterruptSql.find(h, failure.interruptId()).orElse(null);
      if (row == null || !"pending".equals(row.callbackState())) {
        return false;
      }
      InterruptSql.setCallbackState(h, failure.interruptId(), "failed");
      ObjectNode details = json.createObjectNode().put("reason", failure.reason());
      InterruptSql.insertEvent(h, failure.interruptId(), "callback.failed", "system:callback", details);
      return true;
    });
    if (givenUp) {
      metrics.deliveryGivenUp("callback");
    }
  }

  private void recordAttempt(String id, int attempt, String outcome, Integer status, String error,
      long millis) {
    ObjectNode details = json.createObjectNode()
        .put("attempt", attempt)
        .put("outcome", outcome)
        .put("durationMs", millis);
    if (status != null) {
      details.put("httpStatus", status);
    }
    if (error != null) {
      details.put("error", error);
    }
    jdbi.useHandle(h -> InterruptSql.insertEvent(h, id, "callback.attempt", "system:callback", details));
  }

}
