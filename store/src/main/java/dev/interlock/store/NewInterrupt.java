package dev.interlock.store;

import java.time.Instant;

/** The columns of a new interrupt row, besides its JSON documents. */
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
    String idempotencyKey) {}
