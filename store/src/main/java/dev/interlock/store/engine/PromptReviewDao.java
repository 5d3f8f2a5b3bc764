package dev.interlock.store.engine;

import dev.interlock.model.engine.PromptReviewRow;
import dev.interlock.store.engine.IssueDao.NewIssue;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Reviews of prompt versions, and what they do to the version: its EWMA score and review count
 * move in one SQL statement (no read-modify-write), and a score that calls for it opens the
 * version's one improvement issue.
 */
@RegisterConstructorMapper(PromptReviewRow.class)
@RegisterConstructorMapper(PromptReviewDao.Tally.class)
public interface PromptReviewDao extends SqlObject {

  String COLUMNS = "id, owner_id, version_id, issue_id, clarity, completeness, relevance,"
      + " feedback, author_type, created_at";

  /** The EWMA's weight of the newest review. */
  double ALPHA = 0.3;

  record NewReview(String id, String ownerId, String versionId, String issueId, int clarity,
      int completeness, int relevance, String feedback, String authorType) {

    public double composite() {
      return (clarity + completeness + relevance) / 3.0;
    }
  }

  /**
   * The version after a review: its score, its review count (this review's place among the
   * version's reviews, as applied), and its improvement issue if one was opened already.
   */
  record Tally(double reviewScore, int reviewCount, String improvementIssueId) {}

  /** What {@link #record} did: the review, the tally, and the issue it opened (or null). */
  record Recorded(PromptReviewRow review, Tally tally, String openedIssueId) {}

  /**
   * Stores a review and applies it to its version, in one transaction. {@code improvement}
   * sees the tally (only when the version has no improvement issue yet) and answers the issue
   * to open, or null; the issue is written only if this transaction is the one that claims the
   * version's improvement issue, so concurrent reviews open one issue, never two. The
   * improvement issue gets the labels {@code labels} (name and color), made when missing.
   */
  @Transaction
  default Recorded record(NewReview review, Function<Tally, NewIssue> improvement,
      List<Label> labels) {
    Tally tally = applyReview(review.versionId(), review.composite());
    PromptReviewRow stored = insert(review);
    String opened = null;
    if (tally.improvementIssueId() == null) {
      NewIssue issue = improvement.apply(tally);
      if (issue != null && claimImprovement(review.versionId(), issue.id()) == 1) {
        getHandle().attach(IssueDao.class).insert(issue);
        for (Label label : labels) {
          ensureLabel(label.id(), issue.ownerId(), label.name(), label.color());
          attachLabel(issue.id(), labelId(issue.ownerId(), label.name()));
        }
        opened = issue.id();
        tally = new Tally(tally.reviewScore(), tally.reviewCount(), opened);
      }
    }
    return new Recorded(stored, tally, opened);
  }

  /** A label to put on an improvement issue; {@code id} is used only if it must be made. */
  record Label(String id, String name, String color) {}

  /**
   * The EWMA step, atomically: the first review's composite is the score; each later one
   * weighs {@link #ALPHA}. The row stays locked until the transaction ends, so concurrent
   * reviews of one version apply one after another, each seeing the last one's result.
   */
  @SqlQuery("""
      update engine_template_versions
         set review_score = case when review_score is null then :composite
                                 else 0.3 * :composite + 0.7 * review_score end,
             review_count = review_count + 1
       where id = :versionId
      returning review_score, review_count, improvement_issue_id""")
  Tally applyReview(@Bind("versionId") String versionId, @Bind("composite") double composite);

  @SqlQuery("""
      insert into engine_prompt_reviews (id, owner_id, version_id, issue_id, clarity,
                                         completeness, relevance, feedback, author_type)
      values (:r.id, :r.ownerId, :r.versionId, :r.issueId, :r.clarity, :r.completeness,
              :r.relevance, :r.feedback, :r.authorType)
      returning\s""" + COLUMNS)
  PromptReviewRow insert(@BindMethods("r") NewReview review);

  /** 1 if this call claimed the version's improvement issue, 0 if it has one already. */
  @SqlUpdate("update engine_template_versions set improvement_issue_id = :issueId"
      + " where id = :versionId and improvement_issue_id is null")
  int claimImprovement(@Bind("versionId") String versionId, @Bind("issueId") String issueId);

  @SqlUpdate("""
      insert into engine_labels (id, owner_id, name, color) values (:id, :ownerId, :name, :color)
      on conflict (owner_id, lower(name)) where deleted_at is null do nothing""")
  int ensureLabel(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("name") String name, @Bind("color") String color);

  @SqlQuery("select id from engine_labels where owner_id = :ownerId"
      + " and lower(name) = lower(:name) and deleted_at is null")
  String labelId(@Bind("ownerId") String ownerId, @Bind("name") String name);

  @SqlUpdate("insert into engine_issue_labels (issue_id, label_id) values (:issueId, :labelId)"
      + " on conflict do nothing")
  int attachLabel(@Bind("issueId") String issueId, @Bind("labelId") String labelId);

  /** Reviews of every version of the template, newest first. */
  @SqlQuery("select " + COLUMNS + " from engine_prompt_reviews r where r.version_id in"
      + " (select v.id from engine_template_versions v where v.template_id = :templateId)"
      + " order by r.created_at desc, r.id desc limit :limit offset :offset")
  List<PromptReviewRow> forTemplate(@Bind("templateId") String templateId,
      @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_prompt_reviews r where r.version_id in"
      + " (select v.id from engine_template_versions v where v.template_id = :templateId)")
  long countForTemplate(@Bind("templateId") String templateId);

  @SqlQuery("select " + COLUMNS + " from engine_prompt_reviews where id = :id")
  Optional<PromptReviewRow> byId(@Bind("id") String id);
}
