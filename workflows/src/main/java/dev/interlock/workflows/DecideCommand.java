package dev.interlock.workflows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A person's decision, sent to the workflow as an Update.
 *
 * @param actor who decided, as a person reads it (a username, a key's name); recorded in
 *     the audit trail and as {@code decidedBy}
 * @param response the person's free-text answer or chosen option (questions); null for a
 *     plain approve/reject
 * @param actorId who decided, stably ({@code user:<uuid>}, {@code key:<id>}, ...): what
 *     tells two approvers of a quorum apart. Null in commands sent before it existed.
 */
public record DecideCommand(
    Decision decision, String reason, JsonNode modifiedParams, String actor, String response,
    String actorId) {

  public DecideCommand {
    // Temporal's converter turns a null JsonNode into NullNode; keep "absent" as null.
    modifiedParams = modifiedParams == null || modifiedParams.isNull() ? null : modifiedParams;
  }
}
