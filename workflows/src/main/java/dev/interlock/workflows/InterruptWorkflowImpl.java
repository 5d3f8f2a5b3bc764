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
import java.util.ArrayList;
import java.util.List;
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

  /** The actor and actor id of the workflow's own expiry. */
  static final String EXPIRY_ACTOR = "system:expiry";

  static final String ALREADY_APPROVED = "You have already approved this interrupt";

  private final String interruptId;
  private final long expiresAtMillis;
  /**
   * How many distinct approvals settle the interrupt. The count of those given so far is
   * in {@link InterruptState#approverIds()}: workflow state, rebuilt from the history on
   * replay, so a quorum survives a worker restart without reading the store.
   */
  private int requiredApprovals;
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
    // Inputs written before quorums carry 0: one approval settles.
    requiredApprovals = Math.max(1, request.requiredApprovals());
    state = request.resumeFrom() != null
        ? request.resumeFrom()
        : InterruptState.pending(request.approverIds());
  }

  @Override
  public InterruptState run(InterruptRequest request) {
    if (request.evaluatePolicies() && state.isPending()) {
      PolicyOutcome outcome = projection.evaluatePolicies(new PolicyRequest(interruptId));
      // A routing rule may ask for more approvals than the create did; never fewer.
      if (outcome.approvals() != null) {
        requiredApprovals = Math.max(requiredApprovals, outcome.approvals());
      }
      // A person may have decided while the policies were evaluated; the first one wins.
      if (outcome.decision() != null && state.isPending()) {
        transition(new InterruptState(outcome.decision().status(), outcome.decision(),
            outcome.reason(), null, outcome.actor(), Workflow.currentTimeMillis(), null, null,
            outcome.actorId(), state.approverIds()));
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
                InterruptStatus.EXPIRED, null, null, null, EXPIRY_ACTOR,
                Workflow.currentTimeMillis(), null, null, EXPIRY_ACTOR, state.approverIds()));
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

  /**
   * A rejection settles at once. An approval settles when it is the last one the quorum
   * needs (with one required, the first); before that it is recorded and the interrupt
   * stays pending. With one approval required this is exactly the decision as it was before
   * quorums: the same commands, so older histories replay.
   */
  @Override
  public InterruptState decide(DecideCommand command) {
    String approverId = approverId(command);
    boolean approving = command.decision() == Decision.APPROVED;
    if (requiredApprovals > 1) {
      // Updates that arrive in one workflow task are all validated before the first handler
      // runs, so a quorum checks again here (from a handler, the failure keeps its type).
      if (!state.isPending()) {
        throw notPending(state.status());
      }
      if (approving && state.approverIds().contains(approverId)) {
        throw ApplicationFailure.newNonRetryableFailure(ALREADY_APPROVED,
            AlreadyApproved.class.getName());
      }
    }
    List<String> approvers = approving ? with(state.approverIds(), approverId) : state.approverIds();
    if (approving && approvers.size() < requiredApprovals) {
      return recordApproval(command, approvers);
    }
    boolean applied = transition(
        new InterruptState(
            command.decision().status(),
            command.decision(),
            command.reason(),
            command.modifiedParams(),
            command.actor(),
            Workflow.currentTimeMillis(),
            currentUpdateId(), command.response(), command.actorId(), approvers));
    if (!applied) {
      throw expiredFirst();
    }
    return state;
  }

  /**
   * Counts one approval that does not yet make the quorum: the state first (so the
   * validator refuses the same approver at once), then the store. The interrupt stays
   * pending and the update answers that state.
   */
  private InterruptState recordApproval(DecideCommand command, List<String> approvers) {
    List<String> before = state.approverIds();
    state = InterruptState.pending(approvers);
    String stored = localProjection.recordApproval(new ApprovalRecord(interruptId,
        approverId(command), command.actor(), Workflow.currentTimeMillis(), command.reason(),
        approvers.size(), requiredApprovals));
    if (InterruptStatus.EXPIRED.wire().equals(stored)) {
      // The store's expiry sweep got there first and recorded nothing: adopt its expiry.
      state = storeExpiry(before);
      announce(state);
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
    if (command.decision() == Decision.APPROVED
        && state.approverIds().contains(approverId(command))) {
      throw new AlreadyApproved(ALREADY_APPROVED);
    }
  }

  @Override
  public InterruptState cancel(CancelCommand command) {
    boolean applied = transition(
        new InterruptState(
            InterruptStatus.CANCELLED, null, command.reason(), null, command.actor(),
            Workflow.currentTimeMillis(), currentUpdateId(), null, command.actorId(),
            state.approverIds()));
    if (!applied) {
      throw expiredFirst();
    }
    return state;
  }

  /** The identity a quorum counts: the stable id, or the name in commands without one. */
  private static String approverId(DecideCommand command) {
    return command.actorId() != null ? command.actorId() : String.valueOf(command.actor());
  }

  private static List<String> with(List<String> approvers, String approverId) {
    List<String> more = new ArrayList<>(approvers);
    if (!more.contains(approverId)) {
      more.add(approverId);
    }
    return more;
  }

  /** A handler's answer when the interrupt left pending after its validator ran. */
  private static ApplicationFailure notPending(InterruptStatus status) {
    return ApplicationFailure.newNonRetryableFailure("Interrupt is already " + status.wire(),
        NotPending.class.getName());
  }

  /**
   * The update's answer when the store expired the interrupt while its transition was being
   * projected. Thrown from a handler (not a validator), an ApplicationFailure keeps its type,
   * which the gateway reads as "not pending".
   */
  private static ApplicationFailure expiredFirst() {
    return notPending(InterruptStatus.EXPIRED);
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
    List<String> approversBefore = state.approverIds();
    state = next;
    TransitionRecord record = new TransitionRecord(interruptId, next);
    int version = Workflow.getVersion(LOCAL_PROJECTION_CHANGE, Workflow.DEFAULT_VERSION,
        STORE_EXPIRY_VERSION);
    if (version == STORE_EXPIRY_VERSION) {
      String stored = localProjection.projectTransition(record);
      if (InterruptStatus.EXPIRED.wire().equals(stored)
          && next.status() != InterruptStatus.EXPIRED) {
        state = storeExpiry(approversBefore);
        announce(state);
        return false;
      }
    } else {
      (version == 1 ? localProjection : projection).recordTransition(record);
    }
    announce(next);
    return true;
  }

  /** The expiry the store's sweep recorded: at {@code expiresAt}, by the system. */
  private InterruptState storeExpiry(List<String> approvers) {
    return new InterruptState(InterruptStatus.EXPIRED, null, null, null, EXPIRY_ACTOR,
        expiresAtMillis, null, null, EXPIRY_ACTOR, approvers);
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
