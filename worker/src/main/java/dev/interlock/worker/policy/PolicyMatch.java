package dev.interlock.worker.policy;

/**
 * The outcome of evaluating the policies for one request.
 *
 * @param policyId null when no rule matched (the request goes to a human)
 * @param ruleIndex the index of the matching rule within its policy, or -1
 */
public record PolicyMatch(PolicyDecision decision, String policyId, String policyName,
    int policyVersion, int ruleIndex) {

  public static PolicyMatch noMatch() {
    return new PolicyMatch(PolicyDecision.ROUTE_TO_HUMAN, null, null, 0, -1);
  }

  public boolean matched() {
    return policyId != null;
  }
}
