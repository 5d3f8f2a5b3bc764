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
import dev.interlock.workflows.CallbackFailure;
import dev.interlock.workflows.CallbackRequest;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.FailureType;
import dev.interlock.workflows.InterruptActivities;
import dev.interlock.workflows.InterruptState;
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

  /** Without a Temporal client: webhook deliveries are written and left to recovery. */
  public InterruptActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, Renderings renderings) {
    this(jdbi, json, outbound, guard, clock, requestTimeout, renderings, null);
  }

  public InterruptActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, Renderings renderings,
      Deliveries deliveries) {
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
    List<String> newDeliveries = new ArrayList<>();
    // null: this run changed the row; otherwise the status the store already held.
    String stored = jdbi.inTransaction(h -> {
      // Row, audit event and NOTIFY in one statement. The activity is retried (and, local,
      // re-run with its workflow task); only the first run that changes the row writes.
      Optional<InterruptRow> updated = InterruptSql.project(h, id, s.status().wire(),
          s.decision() == null ? null : s.decision().wire(), s.reason(), s.modifiedParams(),
          s.actor(), Instant.ofEpochMilli(s.decidedAtMillis()), s.commandId(), s.response(),
          details);
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
      return null;
    });
    if (stored == null) {
      if (deliveries != null) {
        deliveries.startAll(newDeliveries);
      }
      return s.status().wire();
    }
    startPendingDeliveries(id); // the first run may have died between commit and start
    return stored;
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
    String id = request.interruptId();
    return jdbi.inTransaction(h -> {
      InterruptRow row = InterruptSql.find(h, id).orElseThrow(() ->
          ApplicationFailure.newNonRetryableFailure("interrupt " + id + " is not in the store",
              FailureType.UNKNOWN_INTERRUPT.name()));
      List<Policy> policies = h.attach(PolicyDao.class).list(row.ownerId()).stream()
          .map(p -> new Policy(p.id(), p.name(), p.priority(), p.enabled(), p.rules(), p.version()))
          .toList();
      PolicyMatch match = PolicyEngine.evaluate(policies, PolicyDocuments.of(json, row));
      ObjectNode details = json.createObjectNode().put("decision", match.decision().wire());
      if (match.matched()) {
        details.put("policyId", match.policyId()).put("policyName", match.policyName())
            .put("policyVersion", match.policyVersion()).put("rule", match.ruleIndex());
      }
      InterruptSql.insertEvent(h, id, "policy.evaluated",
          match.matched() ? "policy:" + match.policyName() : "system:policies", details);
      return switch (match.decision()) {
        case AUTO_APPROVE -> new PolicyOutcome(Decision.APPROVED, "policy:" + match.policyName(),
            "Auto-approved by policy " + match.policyName() + " (v" + match.policyVersion() + ")");
        case AUTO_DENY -> new PolicyOutcome(Decision.REJECTED, "policy:" + match.policyName(),
            "Auto-denied by policy " + match.policyName() + " (v" + match.policyVersion() + ")");
        case ROUTE_TO_HUMAN -> PolicyOutcome.toHuman();
      };
    });
  }

  @Override
  public void deliverCallback(CallbackRequest request) {
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
    sent.throwIfFailed("callback", target.uri().getHost());
    jdbi.useHandle(h -> InterruptSql.setCallbackState(h, id, "delivered"));
    log.info("callback for interrupt {} delivered to {} (attempt {}, HTTP {})", id,
        target.uri().getHost(), attempt, sent.status());
  }

  @Override
  public void recordCallbackFailed(CallbackFailure failure) {
    jdbi.useTransaction(h -> {
      InterruptRow row = InterruptSql.find(h, failure.interruptId()).orElse(null);
      if (row == null || !"pending".equals(row.callbackState())) {
        return;
      }
      InterruptSql.setCallbackState(h, failure.interruptId(), "failed");
      ObjectNode details = json.createObjectNode().put("reason", failure.reason());
      InterruptSql.insertEvent(h, failure.interruptId(), "callback.failed", "system:callback", details);
    });
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
