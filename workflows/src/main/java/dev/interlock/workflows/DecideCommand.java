package dev.interlock.workflows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A person's decision, sent to the workflow as an Update.
 *
 * @param actor who decided, recorded in the audit trail
 * @param response the person's free-text answer or chosen option (questions); null for a
 *     plain approve/reject
 */
public record DecideCommand(
    Decision decision, String reason, JsonNode modifiedParams, String actor, String response) {

  public DecideCommand {
    // Temporal's converter turns a null JsonNode into NullNode; keep "absent" as null.
    modifiedParams = modifiedParams == null || modifiedParams.isNull() ? null : modifiedParams;
  }
}
