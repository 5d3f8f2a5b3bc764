package dev.interlock.model.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What Loop's dashboard reads ({@code /api/dashboard/...}): counts, the heads of its activity
 * chains, and its view of templates, versions, relations and reviews. These are read-only
 * projections of the engine's tables for the dashboard alone.
 */
public final class DashboardRows {

  private DashboardRows() {}

  /** Live issues of one status and type. */
  public record IssueCount(String status, String type, long count) {}

  /** Live goals of one status. */
  public record GoalCount(String status, long count) {}

  /**
   * The dispatch queue: {@code todo} issues that no open {@code blocked_by} relation holds,
   * issues {@code in_progress}, and issues done in the last 24 hours.
   */
  public record DispatchCounts(long queueDepth, long activeCount, long completedLast24h) {}

  /** A root issue of an activity chain and the latest update in its chain. */
  public record ChainHead(String id, Instant latestActivity) {}

  /** A relation of an issue (Loop's {@code IssueRelation}). */
  public record Relation(String id, String type, String issueId, String relatedIssueId,
      Instant createdAt) {}

  /** A prompt template (Loop's {@code PromptTemplate}). */
  public record Template(String id, String slug, String name, String description,
      JsonNode conditions, int specificity, String projectId, String activeVersionId,
      Instant createdAt, Instant updatedAt, Instant deletedAt) {}

  /** A version of a prompt template (Loop's {@code PromptVersion}). */
  public record Version(String id, String templateId, int version, String content,
      String changelog, String authorType, String authorName, String status, int usageCount,
      Double completionRate, Double avgDurationMs, Double reviewScore, int reviewCount,
      Instant createdAt) {}

  /** The reviews of every version of one template: how many, and each score's mean. */
  public record ReviewTotals(String templateId, long totalReviews, Double avgClarity,
      Double avgCompleteness, Double avgRelevance) {}
}
