package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One interrupt as stored: the read model every dialect renders. */
public record InterruptRow(
    String id,
    String ownerId,
    String source,
    String agentId,
    String userId,
    String action,
    JsonNode context,
    JsonNode params,
    String urgency,
    String status,
    String decision,
    String reason,
    JsonNode modifiedParams,
    String decidedBy,
    String commandId,
    Instant createdAt,
    Instant expiresAt,
    Instant decidedAt,
    String callbackUrl,
    String callbackState,
    String idempotencyKey,
    String requestType,
    JsonNode options,
    String response,
    String sessionId,
    Instant confirmedAt,
    JsonNode confirmResult) {

  public boolean isPending() {
    return "pending".equals(status);
  }
}
