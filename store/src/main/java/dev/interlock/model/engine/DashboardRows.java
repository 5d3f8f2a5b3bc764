package dev.interlock.model.engine;

import java.time.Instant;

/**
 * What Loop's dashboard reads ({@code /api/dashboard/...}): counts, the heads of its activity
 * chains and its review totals: read-only projections of the engine's tables for the
 * dashboard alone (templates, versions and relations are the engine's own rows).
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

  /** The reviews of every version of one template: how many, and each score's mean. */
  public record ReviewTotals(String templateId, long totalReviews, Double avgClarity,
      Double avgCompleteness, Double avgRelevance) {}
}
