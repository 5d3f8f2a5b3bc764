package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.workflows.Decision;

/**
 * {@code POST /interrupts/{id}/decide} and the {@code decide_interrupt} tool. {@code decision}
 * is a string because LoopIn takes synonyms in any case ({@link LoopinInput#decision}).
 */
record DecideInterruptRequest(String decision, String reason, ObjectNode modifiedParams) {

  /** A decision LoopIn accepts, in the core's terms. */
  record Verdict(Decision decision, String reason, ObjectNode modifiedParams) {}

  Verdict validate() {
    Decision d = LoopinInput.decision(LoopinInput.required(decision, "decision"));
    return new Verdict(d, JsonBodies.limit(reason, "reason", LoopinInput.MAX_REASON),
        modifiedParams);
  }
}
