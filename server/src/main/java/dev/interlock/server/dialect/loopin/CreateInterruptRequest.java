package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.wire.JsonBodies;
import java.time.Instant;

/**
 * {@code POST /interrupts} and the {@code create_interrupt} tool. {@code urgency} is a string
 * because LoopIn takes synonyms in any case; {@code expiresIn} any JSON value because it takes
 * {@code 3.0} as a whole number ({@link LoopinInput#wholeNumber}).
 */
record CreateInterruptRequest(String agentId, String userId, String action, ObjectNode context,
    String urgency, JsonNode expiresIn, String callbackUrl,
    /* Interlock extensions: route to reviewer groups or usernames, and require a quorum. */
    java.util.List<String> reviewers, Integer requiredApprovals) {

  /** The core's command, after LoopIn's checks, in the order LoopIn has always made them. */
  CreateInterrupt validate(String source, String idempotencyKey, Instant now, long maxExpiresIn) {
    String agent = JsonBodies.limit(LoopinInput.required(agentId, "agentId"), "agentId",
        LoopinInput.MAX_ID);
    String user = JsonBodies.limit(LoopinInput.required(userId, "userId"), "userId",
        LoopinInput.MAX_ID);
    String asked = JsonBodies.limit(LoopinInput.required(action, "action"), "action",
        LoopinInput.MAX_ACTION);
    Urgency level = LoopinInput.urgency(urgency);
    Long seconds = LoopinInput.wholeNumber(expiresIn, "expiresIn");
    if (seconds == null) {
      seconds = LoopinInput.DEFAULT_EXPIRES_IN;
    }
    if (seconds <= 0) {
      throw new InvalidRequest("expiresIn must be a positive number of seconds");
    }
    if (seconds > maxExpiresIn) {
      throw new InvalidRequest("expiresIn must be at most " + maxExpiresIn + " seconds");
    }
    String callback =
        JsonBodies.limit(callbackUrl, "callbackUrl", LoopinInput.MAX_CALLBACK_URL);
    if (callback != null && callback.isBlank()) {
      callback = null;
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw new InvalidRequest("Idempotency-Key must be 1 to 255 characters");
    }
    return CreateInterrupt.approval(source, agent, user, asked,
        context == null ? JsonNodeFactory.instance.objectNode() : context, null, level,
        now.plusSeconds(seconds), callback, idempotencyKey)
        .withQuorum(reviewers, requiredApprovals == null ? 1 : requiredApprovals);
  }
}
