package dev.interlock.workflows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A person's decision, sent to the workflow as an Update.
 *
 * @param actor who decided, recorded in the audit trail
 */
public record DecideCommand(Decision decision, String reason, JsonNode modifiedParams, String actor) {}
