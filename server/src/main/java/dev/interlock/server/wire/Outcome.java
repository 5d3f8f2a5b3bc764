package dev.interlock.server.wire;

import dev.interlock.model.IsoTimes;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.InterruptRow;

/**
 * The core's outcome of an interrupt, as a callback body carries it unless its dialect has a
 * shape of its own: {@code {interruptId, status, decision, decidedAt, reason, modifiedParams}}
 * (LoopIn's callback). Every field is present, null when it has no value; {@code decidedBy}
 * (an Interlock extension: the person's username or the key's name) only once someone or
 * something decided.
 */
@JsonPropertyOrder({"interruptId", "status", "decision", "decidedAt", "reason", "modifiedParams",
    "decidedBy"})
public record Outcome(String interruptId, String status, String decision, String decidedAt,
    String reason, JsonNode modifiedParams,
    @JsonInclude(JsonInclude.Include.NON_NULL) String decidedBy) {

  public static Outcome of(InterruptRow row) {
    return new Outcome(row.id(), row.status(), row.decision(), IsoTimes.format(row.decidedAt()),
        row.reason(), row.modifiedParams(), row.decidedBy());
  }
}
