package dev.interlock.model;

import java.time.Instant;

/** A Loopgate agent session: requests may only be made in an active session. */
public record HitlSessionRow(
    String ownerId,
    String sessionId,
    String clientId,
    Long telegramId,
    boolean active,
    Instant createdAt,
    Instant updatedAt) {}
