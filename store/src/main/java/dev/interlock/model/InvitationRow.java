package dev.interlock.model;

import java.time.Instant;
import java.util.UUID;

/** An invitation link's record: good once, until it expires or is revoked. */
public record InvitationRow(UUID id, String workspaceId, String role, UUID createdBy,
    Instant createdAt, Instant expiresAt, UUID acceptedBy, Instant acceptedAt,
    Instant revokedAt) {

  public boolean isOpen(Instant now) {
    return acceptedAt == null && revokedAt == null && expiresAt.isAfter(now);
  }
}
