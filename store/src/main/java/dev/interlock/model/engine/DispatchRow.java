package dev.interlock.model.engine;

import java.time.Instant;

/**
 * A claim of an issue by an agent ({@code GET /api/dispatch/next}) and its lease.
 *
 * @param versionId the prompt template version the claim was given, if any
 * @param claimedBy who claimed it: {@code key:<id>} or {@code user:<id>}
 * @param keyId a key minted for the agent with the claim; Interlock mints none (the agent
 *     keeps the key it claimed with), so always null for now
 * @param leaseUntil when the lease lapses unless the agent shows signs of life
 * @param heartbeatAt the last sign of life, if any
 * @param endedAt when the lease ended; null while it is held
 * @param outcome how it ended: completed, lapsed, released or canceled
 */
public record DispatchRow(
    String id,
    String ownerId,
    String issueId,
    String versionId,
    String claimedBy,
    String keyId,
    Instant claimedAt,
    Instant leaseUntil,
    Instant heartbeatAt,
    Instant endedAt,
    String outcome) {

  public boolean isOpen() {
    return endedAt == null;
  }
}
