package dev.interlock.store;

import java.time.Instant;
import java.util.List;

/**
 * The columns of a new interrupt row, besides its JSON documents.
 *
 * @param requestType Loopgate's kind of question (confirmation, input, choice); null for a
 *     plain approval request
 * @param sessionId the Loopgate session, or null
 * @param reviewers reviewer groups or usernames it is routed to; empty for anyone
 * @param requiredApprovals how many distinct approvals settle it (1..10)
 * @param assignee the person asked (a username or user id), or null
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
    String sessionId,
    List<String> reviewers,
    int requiredApprovals,
    String assignee) {

  public NewInterrupt {
    reviewers = reviewers == null ? List.of() : List.copyOf(reviewers);
  }

  /** Without an assignee. */
  public NewInterrupt(String id, String ownerId, String source, String agentId, String userId,
      String action, String urgency, Instant createdAt, Instant expiresAt, String callbackUrl,
      String idempotencyKey, String requestType, String sessionId, List<String> reviewers,
      int requiredApprovals) {
    this(id, ownerId, source, agentId, userId, action, urgency, createdAt, expiresAt,
        callbackUrl, idempotencyKey, requestType, sessionId, reviewers, requiredApprovals, null);
  }
}
