package dev.interlock.server.service.engine;

import dev.interlock.model.engine.PromptReviewRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.store.engine.IssueDao.NewIssue;
import dev.interlock.store.engine.PromptReviewDao;
import dev.interlock.store.engine.PromptReviewDao.Label;
import dev.interlock.store.engine.PromptReviewDao.NewReview;
import dev.interlock.store.engine.PromptReviewDao.Recorded;
import dev.interlock.store.engine.PromptReviewDao.Tally;
import dev.interlock.store.engine.TemplateDao;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Reviews of prompt versions, and the improvement loop they drive. A review's composite is
 * the mean of clarity, completeness and relevance; the version's score is their EWMA
 * (alpha 0.3; the first review's composite is the score), applied in one SQL statement so
 * that concurrent reviews lose nothing (Loop reads, computes and writes back, and races).
 * Once a version has {@link #MIN_REVIEWS} reviews, a score under {@link #THRESHOLD}, or
 * {@link #MATURE_REVIEWS} reviews whatever the score (time to iterate), opens one improvement
 * issue for it: a {@code task} in {@code todo}, priority 3, labelled {@code prompt-improvement}
 * and {@code meta}. Never two per version, even under concurrent reviews.
 */
public final class PromptReviewService {

  public static final int MIN_REVIEWS = 3;
  public static final double THRESHOLD = 3.5;
  public static final int MATURE_REVIEWS = 15;
  static final List<Label> LABELS = List.of(
      new Label(null, "prompt-improvement", "#f59e0b"), new Label(null, "meta", "#6b7280"));

  /**
   * A stored review and what it did to its version: the score and count after it, the
   * version's improvement issue (if any), and whether this review opened it.
   */
  public record Reviewed(PromptReviewRow review, double reviewScore, int reviewCount,
      String improvementIssueId, boolean openedImprovement) {}

  /** A review, validated at the edge. */
  public record ReviewDraft(String versionId, String issueId, int clarity, int completeness,
      int relevance, String feedback, String authorType) {}

  private final Jdbi jdbi;

  PromptReviewService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores the review and applies it. 404 when the version is not one of a live template of
   * the workspace, or the issue is not one of the workspace's.
   */
  public Reviewed review(String ownerId, ReviewDraft draft) {
    TemplateDao templates = jdbi.onDemand(TemplateDao.class);
    TemplateVersionRow version = templates.ownedVersion(ownerId, draft.versionId())
        .orElseThrow(() -> new NotFound("Version not found"));
    TemplateRow template = templates.find(ownerId, version.templateId())
        .orElseThrow(() -> new NotFound("Version not found"));
    if (jdbi.onDemand(IssueDao.class).find(ownerId, draft.issueId()).isEmpty()) {
      throw new NotFound("Issue not found");
    }
    NewReview review = new NewReview("rev_" + UUID.randomUUID(), ownerId, version.id(),
        draft.issueId(), draft.clarity(), draft.completeness(), draft.relevance(),
        draft.feedback(), draft.authorType());
    List<Label> labels = LABELS.stream()
        .map(l -> new Label("lbl_" + UUID.randomUUID(), l.name(), l.color())).toList();
    Recorded r = jdbi.onDemand(PromptReviewDao.class).record(review,
        tally -> calls(tally) ? improvement(ownerId, template, version, tally) : null, labels);
    return new Reviewed(r.review(), r.tally().reviewScore(), r.tally().reviewCount(),
        r.tally().improvementIssueId(), r.openedIssueId() != null);
  }

  /** Whether the version's tally calls for an improvement issue. */
  static boolean calls(Tally tally) {
    return tally.reviewCount() >= MIN_REVIEWS
        && (tally.reviewScore() < THRESHOLD || tally.reviewCount() >= MATURE_REVIEWS);
  }

  private static NewIssue improvement(String ownerId, TemplateRow template,
      TemplateVersionRow version, Tally tally) {
    String score = String.format(Locale.ROOT, "%.1f", tally.reviewScore());
    String title = "Improve prompt template: " + template.slug() + " (avg review " + score
        + "/5, " + tally.reviewCount() + " reviews since v" + version.version() + ")";
    String why = tally.reviewScore() < THRESHOLD
        ? "Its reviews score it " + score + "/5, under " + THRESHOLD + "."
        : "It has had " + tally.reviewCount() + " reviews since v" + version.version()
            + ": time to learn from them.";
    String description = String.join("\n",
        "## Prompt improvement",
        "",
        "Template **" + template.slug() + "** (" + template.name() + "), version "
            + version.version() + ". " + why,
        "",
        "- EWMA score: " + String.format(Locale.ROOT, "%.2f", tally.reviewScore()) + "/5",
        "- Reviews of this version: " + tally.reviewCount(),
        "- Template id: " + template.id(),
        "- Version id: " + version.id(),
        "",
        "## What to do",
        "",
        "1. Read the reviews' feedback: `GET /api/templates/" + template.id() + "/reviews`.",
        "2. Write a better version: `POST /api/templates/" + template.id() + "/versions`.",
        "3. Promote it: `POST /api/templates/" + template.id()
            + "/versions/<versionId>/promote`.");
    return new NewIssue("iss_" + UUID.randomUUID(), ownerId, title, description, "task", "todo",
        3, null, template.projectId(), null, null, null, false);
  }
}
