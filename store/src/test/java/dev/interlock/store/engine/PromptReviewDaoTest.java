package dev.interlock.store.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.IssueDao.NewIssue;
import dev.interlock.store.engine.PromptReviewDao.Label;
import dev.interlock.store.engine.PromptReviewDao.NewReview;
import dev.interlock.store.engine.PromptReviewDao.Recorded;
import dev.interlock.store.engine.PromptReviewDao.Tally;
import dev.interlock.store.engine.TemplateDao.NewTemplate;
import dev.interlock.store.engine.TemplateDao.NewVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prompt reviews against a real PostgreSQL: the EWMA moves atomically under concurrent
 * reviews (no review is lost, and the score is the EWMA of the order they were applied in),
 * and concurrent reviews that all cross the threshold open one improvement issue, never two.
 */
class PromptReviewDaoTest {

  static final String OWNER = "ws-reviews";
  static final List<Label> LABELS = List.of(new Label("lbl_" + UUID.randomUUID(),
      "prompt-improvement", "#f59e0b"), new Label("lbl_" + UUID.randomUUID(), "meta", "#6b7280"));

  static Jdbi jdbi;
  static String issueId;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(PromptReviewDaoTest.class);
    issueId = jdbi.onDemand(IssueDao.class).insert(issue("iss_" + UUID.randomUUID(), "Reviewed"))
        .id();
  }

  static NewIssue issue(String id, String title) {
    return new NewIssue(id, OWNER, title, null, "task", "todo", 3, null, null, null, null, null,
        false);
  }

  /** A template with one active version; returns the version. */
  static TemplateVersionRow version(String slug) {
    TemplateDao templates = jdbi.onDemand(TemplateDao.class);
    String tpl = "tpl_" + UUID.randomUUID();
    templates.insert(new NewTemplate(tpl, OWNER, slug, slug, null, "{}", 10, null)).orElseThrow();
    TemplateVersionRow v = templates.insertVersion(new NewVersion("ver_" + UUID.randomUUID(), tpl,
        1, "Hello {{issue.title}}", null, "human", "ann", "active"));
    templates.setActiveVersion(tpl, v.id());
    return v;
  }

  static NewReview review(String versionId, int clarity, int completeness, int relevance) {
    return new NewReview("rev_" + UUID.randomUUID(), OWNER, versionId, issueId, clarity,
        completeness, relevance, null, "agent");
  }

  /** Runs the calls at once (each on its own connection and transaction). */
  static <T> List<T> concurrently(List<Callable<T>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> call : calls) {
        futures.add(pool.submit(() -> {
          start.await();
          return call.call();
        }));
      }
      start.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static int count(String sql, Object... args) {
    return jdbi.withHandle(h -> h.select(sql, args).mapTo(Integer.class).one());
  }

  static List<String> names(String sql, Object... args) {
    return jdbi.withHandle(h -> h.select(sql, args).mapTo(String.class).list());
  }

  static double ewma(List<Double> composites) {
    Double score = null;
    for (double c : composites) {
      score = score == null ? c : 0.3 * c + 0.7 * score;
    }
    return score;
  }

  @Test
  void givenOneReview_whenRecorded_thenTheScoreIsItsCompositeAndTheReviewIsStored() {
    TemplateVersionRow v = version("first-review");
    Recorded r = jdbi.onDemand(PromptReviewDao.class).record(review(v.id(), 4, 5, 3),
        t -> null, LABELS);
    assertThat(r.tally().reviewScore()).isCloseTo(4.0, within(1e-9));
    assertThat(r.tally().reviewCount()).isEqualTo(1);
    assertThat(r.review().clarity()).isEqualTo(4);
    assertThat(r.review().versionId()).isEqualTo(v.id());
    assertThat(r.openedIssueId()).isNull();

    Recorded second = jdbi.onDemand(PromptReviewDao.class).record(review(v.id(), 1, 1, 1),
        t -> null, LABELS);
    assertThat(second.tally().reviewScore()).isCloseTo(0.3 * 1 + 0.7 * 4, within(1e-9));
    assertThat(second.tally().reviewCount()).isEqualTo(2);
  }

  @Test
  void givenSixteenConcurrentReviews_whenRecorded_thenNoneIsLostAndTheScoreIsTheEwmaOfTheirOrder()
      throws Exception {
    TemplateVersionRow v = version("concurrent-ewma");
    PromptReviewDao dao = jdbi.onDemand(PromptReviewDao.class);
    List<NewReview> reviews = IntStream.range(0, 16)
        .mapToObj(i -> review(v.id(), 1 + i % 5, 1 + (i * 2) % 5, 1 + (i * 3 + 1) % 5))
        .toList();
    List<Callable<Recorded>> calls = new ArrayList<>();
    for (NewReview r : reviews) {
      calls.add(() -> dao.record(r, t -> null, LABELS));
    }

    List<Recorded> recorded = concurrently(calls);

    // Each review saw its own place in the order the row lock put them in: 1..16, once each.
    assertThat(recorded).extracting(r -> r.tally().reviewCount())
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 16).boxed().toList());
    List<Recorded> applied = recorded.stream()
        .sorted(Comparator.comparingInt(r -> r.tally().reviewCount())).toList();
    List<Double> order = applied.stream().map(r -> r.review().composite()).toList();
    // Each step's score is the EWMA of the reviews before it in that order, and the last is
    // what the version holds.
    for (int i = 0; i < applied.size(); i++) {
      assertThat(applied.get(i).tally().reviewScore())
          .isCloseTo(ewma(order.subList(0, i + 1)), within(1e-9));
    }
    TemplateVersionRow after = jdbi.onDemand(TemplateDao.class).versionById(v.id()).orElseThrow();
    assertThat(after.reviewCount()).isEqualTo(16);
    assertThat(after.reviewScore()).isCloseTo(ewma(order), within(1e-9));
    assertThat(count("select count(*) from engine_prompt_reviews where version_id = ?", v.id()))
        .isEqualTo(16);
  }

  @Test
  void givenSixteenConcurrentPoorReviews_whenEachCrossesTheThreshold_thenOneImprovementIssueOpens()
      throws Exception {
    TemplateVersionRow v = version("concurrent-improvement");
    PromptReviewDao dao = jdbi.onDemand(PromptReviewDao.class);
    // The service's rule, in small: from the third review on, a score under 3.5 opens one.
    Function<Tally, NewIssue> rule = t -> t.reviewCount() >= 3 && t.reviewScore() < 3.5
        ? issue("iss_" + UUID.randomUUID(), "Improve prompt template: concurrent-improvement")
        : null;
    List<Callable<Recorded>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      NewReview r = review(v.id(), 1, 2, 1);
      calls.add(() -> dao.record(r, rule, LABELS));
    }

    List<Recorded> recorded = concurrently(calls);

    List<Recorded> opened = recorded.stream().filter(r -> r.openedIssueId() != null).toList();
    assertThat(opened).hasSize(1);
    assertThat(opened.get(0).tally().reviewCount()).isEqualTo(3);
    String issue = opened.get(0).openedIssueId();
    TemplateVersionRow after = jdbi.onDemand(TemplateDao.class).versionById(v.id()).orElseThrow();
    assertThat(after.improvementIssueId()).isEqualTo(issue);
    assertThat(after.reviewCount()).isEqualTo(16);
    // Every later review saw the issue that was opened, and none wrote another.
    assertThat(recorded).filteredOn(r -> r.tally().reviewCount() > 3)
        .allSatisfy(r -> assertThat(r.tally().improvementIssueId()).isEqualTo(issue));
    assertThat(count("select count(*) from engine_issues where owner_id = ?"
        + " and title = 'Improve prompt template: concurrent-improvement'", OWNER)).isEqualTo(1);
    assertThat(names("select l.name from engine_issue_labels il join engine_labels l"
        + " on l.id = il.label_id where il.issue_id = ? order by l.name", issue))
        .containsExactly("meta", "prompt-improvement");
  }

  @Test
  void givenTwoVersionsOpeningIssues_whenTheLabelsExistAlready_thenTheyAreReusedNotDuplicated() {
    PromptReviewDao dao = jdbi.onDemand(PromptReviewDao.class);
    for (String slug : List.of("labels-a", "labels-b")) {
      TemplateVersionRow v = version(slug);
      Recorded r = dao.record(review(v.id(), 1, 1, 1),
          t -> issue("iss_" + UUID.randomUUID(), "Improve " + slug), LABELS);
      assertThat(r.openedIssueId()).isNotNull();
    }
    assertThat(count("select count(*) from engine_labels where owner_id = ?"
        + " and name in ('meta', 'prompt-improvement')", OWNER)).isEqualTo(2);
  }

  @Test
  void givenAnIssueWasOpened_whenAnotherReviewWouldOpenOne_thenTheRuleIsNotEvenAsked() {
    TemplateVersionRow v = version("opened-once");
    PromptReviewDao dao = jdbi.onDemand(PromptReviewDao.class);
    Recorded first = dao.record(review(v.id(), 1, 1, 1),
        t -> issue("iss_" + UUID.randomUUID(), "Improve opened-once"), LABELS);
    assertThat(first.openedIssueId()).isNotNull();
    List<Tally> asked = new ArrayList<>();
    Recorded second = dao.record(review(v.id(), 1, 1, 1), t -> {
      asked.add(t);
      return issue("iss_" + UUID.randomUUID(), "Improve opened-once again");
    }, LABELS);
    assertThat(asked).isEmpty();
    assertThat(second.openedIssueId()).isNull();
    assertThat(second.tally().improvementIssueId()).isEqualTo(first.openedIssueId());
  }

  @Test
  void givenSixteenConcurrentUses_whenRecorded_thenTheUsageCountRisesBySixteen() throws Exception {
    TemplateVersionRow v = version("usage");
    TemplateDao dao = jdbi.onDemand(TemplateDao.class);
    List<Callable<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      calls.add(() -> dao.recordUsage(v.id()));
    }
    assertThat(concurrently(calls)).containsOnly(1);
    assertThat(dao.versionById(v.id()).orElseThrow().usageCount()).isEqualTo(16);
  }
}
