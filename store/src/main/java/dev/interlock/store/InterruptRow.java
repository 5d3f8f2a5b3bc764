package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jdbi.v3.json.Json;

/** One interrupt as stored: the read model every dialect renders. */
public record InterruptRow(
    String id,
    String ownerId,
    String source,
    String agentId,
    String userId,
    String action,
    @Json JsonNode context,
    @Json JsonNode params,
    String urgency,
    String status,
    String decision,
    String reason,
    @Json JsonNode modifiedParams,
    String decidedBy,
    String commandId,
    Instant createdAt,
    Instant expiresAt,
    Instant decidedAt,
    String callbackUrl,
    String callbackState,
    String idempotencyKey,
    String requestType,
    @Json JsonNode options,
    String response,
    String sessionId,
    Instant confirmedAt,
    @Json JsonNode confirmResult) {

  public boolean isPending() {
    return "pending".equals(status);
  }
}
