package dev.interlock.worker.policy;

import java.util.List;

/**
 * The outcome of evaluating the policies for one request.
 *
 * @param policyId null when no rule matched (the request goes to a human)
 * @param ruleIndex the index of the matching rule within its policy, or -1
 * @param reviewers whom a matching {@code route_to_human} rule names; null when it names none
 * @param approvals how many approvals a matching {@code route_to_human} rule requires; null
 *     when it says nothing
 */
public record PolicyMatch(PolicyDecision decision, String policyId, String policyName,
    int policyVersion, int ruleIndex, List<String> reviewers, Integer approvals) {

  public static PolicyMatch noMatch() {
    return new PolicyMatch(PolicyDecision.ROUTE_TO_HUMAN, null, null, 0, -1, null, null);
  }

  public boolean matched() {
    return policyId != null;
  }
}
