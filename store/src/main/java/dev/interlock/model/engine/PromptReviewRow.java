package dev.interlock.model.engine;

import java.time.Instant;

/** An agent's or a person's review of a prompt version, as used for one issue (scores 1–5). */
public record PromptReviewRow(
    String id,
    String ownerId,
    String versionId,
    String issueId,
    int clarity,
    int completeness,
    int relevance,
    String feedback,
    String authorType,
    Instant createdAt) {

  /** The mean of the three scores. */
  public double composite() {
    return (clarity + completeness + relevance) / 3.0;
  }
}
