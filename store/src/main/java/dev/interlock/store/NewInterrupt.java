package dev.interlock.store;

import java.time.Instant;

/**
 * The columns of a new interrupt row, besides its JSON documents.
 *
 * @param requestType Loopgate's kind of question (confirmation, input, choice); null for a
 *     plain approval request
 * @param sessionId the Loopgate session, or null
 */
public record NewInterrupt(
    String id,
    String ownerId,
    String source,
    String agentId,
    String userId,
    String action,
    String urgency,
    Instant createdAt,
    Instant expiresAt,
    String callbackUrl,
    String idempotencyKey,
    String requestType,
    String sessionId) {}
