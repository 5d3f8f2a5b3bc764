package dev.interlock.workflows;

import java.util.List;

/**
 * Input of {@link InterruptWorkflow#run}. The interrupt's content (action, context,
 * params) lives in PostgreSQL; the workflow needs only what drives the wait.
 *
 * @param interruptId the business id; the workflow id is derived from it
 * @param expiresAtMillis epoch milliseconds at which a pending interrupt expires
 * @param hasCallback whether an outcome callback must be delivered
 * @param resumeFrom the state to resume from when recovery re-creates the workflow of an
 *     interrupt that already left pending but whose callback was not delivered; null for a
 *     new interrupt
 * @param evaluatePolicies whether the owner's policies may decide it before a person does
 * @param requiredApprovals how many distinct approvals settle it (a quorum); 0 (inputs
 *     written before quorums) means 1
 * @param approverIds the approvals already recorded in the store, when recovery re-creates
 *     the workflow of a pending interrupt part of whose quorum has approved; null or empty
 *     for a new interrupt
 */
public record InterruptRequest(
    String interruptId, long expiresAtMillis, boolean hasCallback, InterruptState resumeFrom,
    boolean evaluatePolicies, int requiredApprovals, List<String> approverIds) {

  public static InterruptRequest fresh(String interruptId, long expiresAtMillis, boolean hasCallback) {
    return new InterruptRequest(interruptId, expiresAtMillis, hasCallback, null, false, 1,
        List.of());
  }
}
