package dev.interlock.workflows;

import java.util.List;

/**
 * What the policies decided.
 *
 * @param decision the automatic decision, or null to route the interrupt to a person
 * @param actor who decided, for the audit trail ("policy:&lt;name&gt;")
 * @param reason a sentence naming the policy and its version
 * @param actorId who decided, stably ("policy:&lt;id&gt;"); null when a person decides
 * @param reviewers whom a routing rule names (reviewer groups or usernames); null when it
 *     names none
 * @param approvals how many approvals a routing rule requires; null when it says nothing
 *     (the interrupt's own count stands)
 */
public record PolicyOutcome(Decision decision, String actor, String reason, String actorId,
    List<String> reviewers, Integer approvals) {

  public static PolicyOutcome toHuman() {
    return new PolicyOutcome(null, null, null, null, null, null);
  }

  /** To a person, with the reviewers and the quorum the matching rule asks for. */
  public static PolicyOutcome toHuman(List<String> reviewers, Integer approvals) {
    return new PolicyOutcome(null, null, null, null, reviewers, approvals);
  }
}
