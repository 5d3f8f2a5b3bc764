package dev.interlock.workflows;

import io.temporal.activity.ActivityInterface;

/** Everything the interrupt workflow does to the world. Implementations are idempotent. */
@ActivityInterface
public interface InterruptActivities {

  /** Projects a transition into the store: row, append-only audit event, notification. */
  void recordTransition(TransitionRecord transition);

  /**
   * Projects a transition like {@link #recordTransition} and answers the status the store
   * holds afterwards: the transition's own, or {@code expired} when the store's expiry sweep
   * expired the interrupt first (a decision accepted just before its deadline and projected
   * after it). The workflow then adopts the store's expiry, so no reader ever sees an
   * interrupt go from expired to decided.
   */
  String projectTransition(TransitionRecord transition);

  /**
   * Records one approval towards a quorum that leaves the interrupt pending: the approval
   * row, an {@code approval.recorded} audit event and a notification, and answers the status
   * the store holds afterwards: {@code pending}, or {@code expired} when the store's expiry
   * sweep expired the interrupt first (nothing is recorded then). Idempotent: an approver is
   * recorded once.
   */
  String recordApproval(ApprovalRecord approval);

  /** POSTs the signed outcome to the interrupt's callback URL; one attempt per call. */
  void deliverCallback(CallbackRequest request);

  /** Records that the callback was given up on after its retry window. */
  void recordCallbackFailed(CallbackFailure failure);

  /**
   * Evaluates the owner's policies (and records the evaluation in the audit trail). When a
   * routing rule names reviewers or a quorum, stores them with the interrupt.
   */
  PolicyOutcome evaluatePolicies(PolicyRequest request);
}
