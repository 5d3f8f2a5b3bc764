package dev.interlock.workflows;

/**
 * What the policies decided.
 *
 * @param decision the automatic decision, or null to route the interrupt to a person
 * @param actor who decided, for the audit trail ("policy:&lt;name&gt;")
 * @param reason a sentence naming the policy and its version
 */
public record PolicyOutcome(Decision decision, String actor, String reason) {

  public static PolicyOutcome toHuman() {
    return new PolicyOutcome(null, null, null);
  }
}
