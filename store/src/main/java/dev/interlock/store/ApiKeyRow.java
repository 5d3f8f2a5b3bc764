package dev.interlock.store;

import java.time.Instant;
import java.util.List;

/** An API key as stored: never the key itself, only its SHA-256 hash. */
public record ApiKeyRow(
    String id,
    String ownerId,
    String name,
    String keyHash,
    String keyPrefix,
    List<String> scopes,
    Instant createdAt,
    Instant expiresAt,
    Instant revokedAt,
    Instant lastUsedAt) {}
