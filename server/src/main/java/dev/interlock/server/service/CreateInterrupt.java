package dev.interlock.server.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.errors.InvalidRequest;
import java.time.Instant;
import java.util.List;

/**
 * A validated request to create an interrupt, in core terms. Dialects build it.
 *
 * @param source the dialect that created it ("loopin", ...)
 * @param expiresAt when it expires if nobody decides
 * @param callbackUrl where to POST the outcome, or null
 * @param idempotencyKey the caller's Idempotency-Key, or null
 * @param requestType for questions: confirmation, input or choice; null for approvals
 * @param options the answers a person may pick (a JSON array of strings), or null
 * @param sessionId the Loopgate session, or null
 * @param reviewers reviewer group names or usernames it is routed to; empty: anyone who may
 *     decide in the workspace. At most {@value #MAX_REVIEWERS}, each a name of at most
 *     {@value #MAX_REVIEWER_LENGTH} characters
 * @param requiredApprovals how many distinct approvals settle it (a quorum), 1 to
 *     {@value #MAX_APPROVALS}; the first rejection settles it whatever the number
 * @param assignee the person asked (AgentGate's assignee, Loopgate's session owner), or null
 */
public record CreateInterrupt(
    String source,
    String agentId,
    String userId,
    String action,
    JsonNode context,
    JsonNode params,
    Urgency urgency,
    Instant expiresAt,
    String callbackUrl,
    String idempotencyKey,
    String requestType,
    JsonNode options,
    String sessionId,
    List<String> reviewers,
    int requiredApprovals,
    String assignee) {

  public static final int MAX_REVIEWERS = 20;
  public static final int MAX_REVIEWER_LENGTH = 100;
  public static final int MAX_APPROVALS = 10;

  public CreateInterrupt {
    if (reviewers != null && reviewers.stream().anyMatch(java.util.Objects::isNull)) {
      throw new InvalidRequest("each reviewer must be a non-empty name of at most "
          + MAX_REVIEWER_LENGTH + " characters");
    }
    reviewers = reviewers == null ? List.of() : List.copyOf(reviewers);
    if (reviewers.size() > MAX_REVIEWERS) {
      throw new InvalidRequest("reviewers may name at most " + MAX_REVIEWERS + " reviewers");
    }
    for (String name : reviewers) {
      if (name.isBlank() || name.length() > MAX_REVIEWER_LENGTH) {
        throw new InvalidRequest("each reviewer must be a non-empty name of at most "
            + MAX_REVIEWER_LENGTH + " characters");
      }
    }
    if (assignee != null && (assignee.isBlank() || assignee.length() > MAX_REVIEWER_LENGTH)) {
      throw new InvalidRequest("assignee must be a non-empty name of at most "
          + MAX_REVIEWER_LENGTH + " characters");
    }
    if (requiredApprovals < 1 || requiredApprovals > MAX_APPROVALS) {
      throw new InvalidRequest("requiredApprovals must be a whole number from 1 to "
          + MAX_APPROVALS);
    }
  }

  /** Anyone may decide and one approval settles it (every dialect's create until now). */
  public CreateInterrupt(String source, String agentId, String userId, String action,
      JsonNode context, JsonNode params, Urgency urgency, Instant expiresAt, String callbackUrl,
      String idempotencyKey, String requestType, JsonNode options, String sessionId) {
    this(source, agentId, userId, action, context, params, urgency, expiresAt, callbackUrl,
        idempotencyKey, requestType, options, sessionId, List.of(), 1, null);
  }

  /** A plain approval request (no options, no session, no named reviewers, one approval). */
  public static CreateInterrupt approval(String source, String agentId, String userId,
      String action, JsonNode context, JsonNode params, Urgency urgency, Instant expiresAt,
      String callbackUrl, String idempotencyKey) {
    return new CreateInterrupt(source, agentId, userId, action, context, params, urgency,
        expiresAt, callbackUrl, idempotencyKey, null, null, null);
  }

  /** The same request, routed to {@code reviewers} and settled by {@code required} approvals. */
  public CreateInterrupt withQuorum(List<String> reviewers, int required) {
    return new CreateInterrupt(source, agentId, userId, action, context, params, urgency,
        expiresAt, callbackUrl, idempotencyKey, requestType, options, sessionId, reviewers,
        required, assignee);
  }

  /** The same request, asking {@code person} (a username or user id; null: nobody in particular). */
  public CreateInterrupt withAssignee(String person) {
    return new CreateInterrupt(source, agentId, userId, action, context, params, urgency,
        expiresAt, callbackUrl, idempotencyKey, requestType, options, sessionId, reviewers,
        requiredApprovals, person);
  }
}
