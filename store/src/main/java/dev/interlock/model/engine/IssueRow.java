package dev.interlock.model.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An issue of Loop, the improvement engine: a unit of work an agent may claim.
 *
 * @param number the issue's number in its workspace, from 1
 * @param priority 0 (none) to 4; 1 is the most urgent
 * @param requiresApproval Interlock's gate: dispatch skips it until a person approves
 * @param approvalInterruptId the core interrupt that asks for that approval, if asked
 */
public record IssueRow(
    String id,
    String ownerId,
    int number,
    String title,
    String description,
    String type,
    String status,
    int priority,
    String parentId,
    String projectId,
    String signalSource,
    JsonNode signalPayload,
    JsonNode hypothesis,
    String agentSessionId,
    String agentSummary,
    JsonNode commits,
    JsonNode pullRequests,
    boolean requiresApproval,
    String approvalInterruptId,
    Instant completedAt,
    Instant createdAt,
    Instant updatedAt,
    Instant deletedAt) {

  public boolean isDeleted() {
    return deletedAt != null;
  }
}
