package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One interrupt as stored: the read model every dialect renders.
 *
 * @param decidedBy who caused the transition, as a person reads it
 * @param decidedById who caused it, stably ("user:&lt;uuid&gt;", "key:&lt;id&gt;",
 *     "policy:&lt;id&gt;", "system:expiry"); null before it was recorded
 * @param reviewers the reviewer groups or usernames it is routed to; empty: anyone who may
 *     decide in the workspace
 * @param assignee the person asked (a username or user id: AgentGate's assignee, Loopgate's
 *     session owner), or null; LoopIn's userId is {@code userId}
 * @param requiredApprovals how many distinct approvals settle it (1 unless a quorum)
 * @param approvals the approvals given towards the quorum, oldest first; always empty when
 *     one approval settles it
 */
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
    JsonNode confirmResult,
    String decidedById,
    List<String> reviewers,
    int requiredApprovals,
    List<Approval> approvals,
    String assignee) {

  public InterruptRow {
    reviewers = reviewers == null ? List.of() : List.copyOf(reviewers);
    approvals = approvals == null ? List.of() : List.copyOf(approvals);
  }

  public boolean isPending() {
    return "pending".equals(status);
  }
}
