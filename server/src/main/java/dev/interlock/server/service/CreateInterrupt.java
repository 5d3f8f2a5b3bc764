package dev.interlock.server.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A validated request to create an interrupt, in core terms. Dialects build it.
 *
 * @param source the dialect that created it ("loopin", ...)
 * @param expiresAt when it expires if nobody decides
 * @param callbackUrl where to POST the outcome, or null
 * @param idempotencyKey the caller's Idempotency-Key, or null
 * @param requestType for questions: confirmation, input or choice; null for approvals
 * @param options the answers a person may pick (a JSON array of strings), or null
 * @param sessionId the Loopgate session, or null
 */
public record CreateInterrupt(
    String source,
    String agentId,
    String userId,
    String action,
    JsonNode context,
    JsonNode params,
    Urgency urgency,
    Instant expiresAt,
    String callbackUrl,
    String idempotencyKey,
    String requestType,
    JsonNode options,
    String sessionId) {

  /** A plain approval request (no options, no session). */
  public static CreateInterrupt approval(String source, String agentId, String userId,
      String action, JsonNode context, JsonNode params, Urgency urgency, Instant expiresAt,
      String callbackUrl, String idempotencyKey) {
    return new CreateInterrupt(source, agentId, userId, action, context, params, urgency,
        expiresAt, callbackUrl, idempotencyKey, null, null, null);
  }
}
