package dev.interlock.workflows.engine;

/**
 * Input of {@link LeaseWorkflow#run}, and of the lapse activity.
 *
 * @param dispatchId the claim ({@code engine_dispatches.id}); the workflow id derives from it
 * @param issueId the claimed issue (for people reading the workflow in the Temporal UI)
 * @param leaseMillis how long the lease lasts from a claim or a heartbeat
 * @param remainingMillis how long this run waits before its first check: the whole lease for
 *     a new claim, what is left of it when the lease is re-created (recovery) or continued
 */
public record LeaseRequest(String dispatchId, String issueId, long leaseMillis,
    long remainingMillis) {

  public static LeaseRequest fresh(String dispatchId, String issueId, long leaseMillis) {
    return new LeaseRequest(dispatchId, issueId, leaseMillis, leaseMillis);
  }
}
