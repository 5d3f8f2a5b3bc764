package dev.interlock.workflows;

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
 */
public record InterruptRequest(
    String interruptId, long expiresAtMillis, boolean hasCallback, InterruptState resumeFrom,
    boolean evaluatePolicies) {

  public static InterruptRequest fresh(String interruptId, long expiresAtMillis, boolean hasCallback) {
    return new InterruptRequest(interruptId, expiresAtMillis, hasCallback, null, false);
  }
}
