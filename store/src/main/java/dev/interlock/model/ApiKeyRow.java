package dev.interlock.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key as stored: never the key itself, only its SHA-256 hash. {@code label} is the
 * owner's description (may be null); {@code rateLimit} is requests per sliding minute,
 * null or at most 0 for unlimited. {@code ownerId} is the key's workspace; {@code createdBy} the
 * user who minted it, null for keys an operator or an admin key made.
 */
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
    Instant lastUsedAt,
    String label,
    Integer rateLimit,
    UUID createdBy) {

  /** The same key, last used at {@code at}. */
  public ApiKeyRow withLastUsedAt(Instant at) {
    return new ApiKeyRow(id, ownerId, name, keyHash, keyPrefix, scopes, createdAt, expiresAt,
        revokedAt, at, label, rateLimit, createdBy);
  }
}
