package dev.interlock.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.engine.DispatchRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.DispatchDao;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.workflows.engine.LapseResult;
import dev.interlock.workflows.engine.LeaseRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lapse of a dispatch lease against a real PostgreSQL: only a claim that is still open
 * and past its deadline by the store's clock lapses; its issue returns to todo only if it is
 * still in progress; the comment is written once however often the activity is retried.
 */
class LeaseActivitiesTest {

  static final long LEASE = Duration.ofMinutes(30).toMillis();

  private Jdbi jdbi;
  private LeaseActivitiesImpl activities;

  @BeforeEach
  void schema() {
    jdbi = TestDatabase.freshSchema(LeaseActivitiesTest.class);
    activities = new LeaseActivitiesImpl(jdbi);
  }

  /** An issue claimed with a lease that ends {@code leaseMillis} from now (negative: past). */
  private DispatchRow claimed(long leaseMillis) {
    IssueRow issue = jdbi.withExtension(IssueDao.class, dao -> dao.insert(new IssueDao.NewIssue(
        "iss_" + UUID.randomUUID(), "owner-1", "Flaky login", null, "signal", "todo", 1, null,
        null, null, null, null, false)));
    return jdbi.withExtension(DispatchDao.class, dao -> {
      dao.markClaimed(issue.id());
      return dao.insert("dsp_" + UUID.randomUUID(), "owner-1", issue.id(), "key:agent",
          leaseMillis);
    });
  }

  private String status(DispatchRow d) {
    return jdbi.withExtension(IssueDao.class, dao -> dao.byId(d.issueId())).orElseThrow()
        .status();
  }

  private List<Map<String, Object>> comments(DispatchRow d) {
    return jdbi.withHandle(h -> h.createQuery(
        "select body, author_name, author_type from engine_comments where issue_id = :id")
        .bind("id", d.issueId()).mapToMap().list());
  }

  private LapseResult lapse(DispatchRow d) {
    return activities.lapse(new LeaseRequest(d.id(), d.issueId(), LEASE, 0));
  }

  @Test
  void givenLeasePastItsDeadline_whenLapsed_thenIssueBackToTodoWithOneCommentEvenIfRetried() {
    DispatchRow d = claimed(-1_000);
    LapseResult first = lapse(d);
    assertThat(first.status()).isEqualTo(LapseResult.LAPSED);
    assertThat(first.returnedToQueue()).isTrue();
    assertThat(status(d)).isEqualTo("todo");
    DispatchRow ended = jdbi.withExtension(DispatchDao.class, dao -> dao.byId(d.id()))
        .orElseThrow();
    assertThat(ended.outcome()).isEqualTo("lapsed");
    assertThat(ended.endedAt()).isNotNull();
    List<Map<String, Object>> comments = comments(d);
    assertThat(comments).hasSize(1);
    assertThat(comments.get(0).get("author_name")).isEqualTo("interlock");
    assertThat(comments.get(0).get("author_type")).isEqualTo("agent");
    assertThat((String) comments.get(0).get("body")).contains("lease lapsed at")
        .contains("30 minutes").contains("key:agent");

    // A retry (the first attempt's answer was lost) changes nothing.
    assertThat(lapse(d).status()).isEqualTo(LapseResult.ENDED);
    assertThat(comments(d)).hasSize(1);
  }

  @Test
  void givenLeaseWhoseDeadlineAHeartbeatMoved_whenTheTimerFires_thenExtendedByWhatIsLeft() {
    DispatchRow d = claimed(60_000);
    LapseResult result = lapse(d);
    assertThat(result.status()).isEqualTo(LapseResult.EXTENDED);
    assertThat(result.remainingMillis()).isBetween(50_000L, 60_000L);
    assertThat(status(d)).isEqualTo("in_progress");
    assertThat(comments(d)).isEmpty();
  }

  @Test
  void givenIssueThatLeftInProgress_whenItsLeaseLapses_thenTheLeaseEndsButTheIssueStays() {
    DispatchRow d = claimed(-1_000);
    jdbi.useExtension(IssueDao.class, dao -> dao.setStatus(d.issueId(), "backlog"));
    LapseResult result = lapse(d);
    assertThat(result.status()).isEqualTo(LapseResult.LAPSED);
    assertThat(result.returnedToQueue()).isFalse();
    assertThat(status(d)).isEqualTo("backlog");
    assertThat(comments(d)).isEmpty();
  }

  @Test
  void givenLeaseEndedOrNeverCommitted_whenTheTimerFires_thenNothingChanges() {
    DispatchRow d = claimed(-1_000);
    jdbi.useExtension(DispatchDao.class, dao -> dao.end(d.id(), "completed"));
    assertThat(lapse(d).status()).isEqualTo(LapseResult.ENDED);
    assertThat(status(d)).isEqualTo("in_progress");
    assertThat(activities.lapse(new LeaseRequest("dsp_never", "iss_never", LEASE, 0)).status())
        .isEqualTo(LapseResult.ENDED);
  }

  @Test
  void givenDurations_whenWrittenForPeople_thenInWords() {
    assertThat(LeaseActivitiesImpl.human(Duration.ofMinutes(30))).isEqualTo("30 minutes");
    assertThat(LeaseActivitiesImpl.human(Duration.ofSeconds(3))).isEqualTo("3 seconds");
    assertThat(LeaseActivitiesImpl.human(Duration.ofMinutes(90))).isEqualTo("1 hour 30 minutes");
    assertThat(LeaseActivitiesImpl.human(Duration.ofSeconds(61))).isEqualTo("1 minute 1 second");
  }
}
