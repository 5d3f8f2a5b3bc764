package dev.interlock.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.UpdateInfo;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;

public class InterruptWorkflowImpl implements InterruptWorkflow {

  private static final Logger log = Workflow.getLogger(InterruptWorkflowImpl.class);

  /**
   * Projection must eventually succeed (the store is our read model), so it retries without
   * a limit; a decide call waiting on it is bounded by the caller's own deadline.
   */
  private static final RetryOptions PROJECTION_RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofMillis(200))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofSeconds(10))
          .build();

  /** Store work that is not a transition: policies, a given-up callback. */
  private final InterruptActivities projection =
      Workflow.newActivityStub(
          InterruptActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(15))
              .setRetryOptions(PROJECTION_RETRY)
              .build());

  /**
   * The same projection run as a local activity: inside the workflow task, on the worker
   * that holds the workflow, with no activity-task round trip through the Temporal service.
   * A decision reaches PostgreSQL (and its waiters) one service hop sooner, and an update
   * completes in one workflow task instead of two. The write is short and idempotent, which
   * is what local activities are for; if the worker dies mid-write the workflow task is
   * retried and the projection with it.
   */
  private final InterruptActivities localProjection =
      Workflow.newLocalActivityStub(
          InterruptActivities.class,
          LocalActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(15))
              .setRetryOptions(PROJECTION_RETRY)
              .build());

  /**
   * Histories written before projections became local keep replaying the activity path
   * (default version); version 1 is the local {@code recordTransition}; version 2 the local
   * {@code projectTransition}, which tells the workflow when the store expired the
   * interrupt before a decision could be recorded.
   */
  static final String LOCAL_PROJECTION_CHANGE = "local-projection";
  static final int STORE_EXPIRY_VERSION = 2;

  private final InterruptActivities callbacks =
      Workflow.newActivityStub(InterruptActivities.class, OutboundRetry.OPTIONS);

  private final String interruptId;
  private final long expiresAtMillis;
  private InterruptState state;
  private boolean settled;

  /**
   * Runs before any handler: an update that arrives in the first workflow task is
   * validated before {@link #run}, so the fields it reads must be set here.
   */
  @WorkflowInit
  public InterruptWorkflowImpl(InterruptRequest request) {
    interruptId = request.interruptId();
    expiresAtMillis = request.expiresAtMillis();
    state = request.resumeFrom() != null ? request.resumeFrom() : InterruptState.pending();
  }

  @Override
  public InterruptState run(InterruptRequest request) {
    if (request.evaluatePolicies() && state.isPending()) {
      PolicyOutcome outcome = projection.evaluatePolicies(new PolicyRequest(interruptId));
      // A person may have decided while the policies were evaluated; the first one wins.
      if (outcome.decision() != null && state.isPending()) {
        transition(new InterruptState(outcome.decision().status(), outcome.decision(),
            outcome.reason(), null, outcome.actor(), Workflow.currentTimeMillis(), null, null));
      }
    }
    settled = true;

    if (state.isPending()) {
      Duration remaining =
          Duration.ofMillis(Math.max(0L, expiresAtMillis - Workflow.currentTimeMillis()));
      boolean left = Workflow.await(remaining, () -> !state.isPending());
      if (!left) {
        // The timer fired and nothing got in first: the validators now refuse decisions
        // because the state is set before the projection runs.
        transition(
            new InterruptState(
                InterruptStatus.EXPIRED, null, null, null, "system:expiry",
                Workflow.currentTimeMillis(), null, null));
      }
    }
    // A decide or cancel handler may still be projecting its transition.
    Workflow.await(Workflow::isEveryHandlerFinished);

    if (request.hasCallback()) {
      try {
        callbacks.deliverCallback(new CallbackRequest(interruptId));
      } catch (ActivityFailure e) {
        String reason = e.getCause() instanceof ApplicationFailure failure
            ? failure.getOriginalMessage() : String.valueOf(e.getCause().getMessage());
        log.warn("callback for interrupt {} given up: {}", interruptId, reason);
        projection.recordCallbackFailed(new CallbackFailure(interruptId, reason));
      }
    }
    return state;
  }

  @Override
  public InterruptState decide(DecideCommand command) {
    boolean applied = transition(
        new InterruptState(
            command.decision().status(),
            command.decision(),
            command.reason(),
            command.modifiedParams(),
            command.actor(),
            Workflow.currentTimeMillis(),
            currentUpdateId(), command.response()));
    if (!applied) {
      throw expiredFirst();
    }
    return state;
  }

  @Override
  public void validateDecide(DecideCommand command) {
    if (command == null || command.decision() == null) {
      throw new InvalidCommand("decision is required");
    }
    requirePending();
  }

  @Override
  public InterruptState cancel(CancelCommand command) {
    boolean applied = transition(
        new InterruptState(
            InterruptStatus.CANCELLED, null, command.reason(), null, command.actor(),
            Workflow.currentTimeMillis(), currentUpdateId(), null));
    if (!applied) {
      throw expiredFirst();
    }
    return state;
  }

  /**
   * The update's answer when the store expired the interrupt while its transition was being
   * projected. Thrown from a handler (not a validator), an ApplicationFailure keeps its type,
   * which the gateway reads as "not pending".
   */
  private static ApplicationFailure expiredFirst() {
    return ApplicationFailure.newNonRetryableFailure(
        "Interrupt is already " + InterruptStatus.EXPIRED.wire(), NotPending.class.getName());
  }

  @Override
  public void validateCancel(CancelCommand command) {
    requirePending();
  }

  @Override
  public InterruptState settled() {
    Workflow.await(() -> settled);
    return state;
  }

  @Override
  public InterruptState state() {
    return state;
  }

  private void requirePending() {
    if (!state.isPending()) {
      throw new NotPending("Interrupt is already " + state.status().wire());
    }
    // The expiry timer may be due but not yet processed: a decision after expiresAt is late.
    if (Workflow.currentTimeMillis() >= expiresAtMillis) {
      throw new NotPending("Interrupt is already " + InterruptStatus.EXPIRED.wire());
    }
  }

  private static String currentUpdateId() {
    return Workflow.getCurrentUpdateInfo().map(UpdateInfo::getUpdateId).orElse(null);
  }

  /**
   * Sets the state first (so validators refuse racing commands), then projects it. Returns
   * false when the store had already expired the interrupt (its expiry sweep runs at
   * {@code expiresAt} and readers see that at once): the workflow then takes the store's
   * expiry as its own state, and the transition did not happen.
   */
  private boolean transition(InterruptState next) {
    state = next;
    TransitionRecord record = new TransitionRecord(interruptId, next);
    int version = Workflow.getVersion(LOCAL_PROJECTION_CHANGE, Workflow.DEFAULT_VERSION,
        STORE_EXPIRY_VERSION);
    if (version == STORE_EXPIRY_VERSION) {
      String stored = localProjection.projectTransition(record);
      if (InterruptStatus.EXPIRED.wire().equals(stored)
          && next.status() != InterruptStatus.EXPIRED) {
        state = new InterruptState(InterruptStatus.EXPIRED, null, null, null, "system:expiry",
            expiresAtMillis, null, null);
        announce(state);
        return false;
      }
    } else {
      (version == 1 ? localProjection : projection).recordTransition(record);
    }
    announce(next);
    return true;
  }

  /** The status in the memo and, where the workflow carries them, the search attributes. */
  private static void announce(InterruptState s) {
    Workflow.upsertMemo(Map.of("status", s.status().wire()));
    // Only workflows started with Interlock's search attributes carry them on (a real
    // server where they are registered); the embedded test server has no visibility, and
    // histories from before the attributes replay unchanged.
    if (Workflow.getTypedSearchAttributes().containsKey(InterlockSearchAttributes.STATUS)) {
      Workflow.upsertTypedSearchAttributes(
          InterlockSearchAttributes.STATUS.valueSet(s.status().wire()));
    }
  }
}
