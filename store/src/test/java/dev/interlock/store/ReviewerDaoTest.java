package dev.interlock.store;

import dev.interlock.model.BreakdownRow;
import dev.interlock.model.DayRow;
import dev.interlock.model.InterruptRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReviewerDaoTest {

  private static Jdbi jdbi;
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(ReviewerDaoTest.class);
  }

  private static final String[] NOBODY = {};

  private static String insert(String owner, String agent, String action, String urgency,
      Instant createdAt) {
    return insert(owner, agent, action, urgency, createdAt, "user-1");
  }

  private static String insert(String owner, String agent, String action, String urgency,
      Instant createdAt, String user) {
    String id = UUID.randomUUID().toString();
    var n = new NewInterrupt(id, owner, "loopin", agent, user, action, urgency, createdAt,
        createdAt.plusSeconds(3600), null, null, null, null, java.util.List.of(), 1);
    jdbi.useHandle(h -> InterruptSql.insertCreated(h, n, TestDatabase.mapper().createObjectNode(),
        null, null, "key:test", null).orElseThrow());
    return id;
  }

  private static List<String> ids(java.util.function.Function<ReviewerDao, List<InterruptRow>> q) {
    List<InterruptRow> rows = jdbi.withExtension(ReviewerDao.class, q::apply);
    return rows.stream().map(InterruptRow::id).toList();
  }

  private static void decide(String id, String status, String by, Instant at) {
    jdbi.useHandle(h -> InterruptSql.project(h, id, status,
        status.equals("expired") ? null : status, null, null, by, by, at, null, null, null));
  }

  @Test
  void givenPending_whenInboxRead_thenMostUrgentFirstThenOldestAndFiltersApply() {
    String low = insert("inbox-owner", "a", "low one", "low", NOW.minusSeconds(600));
    String highNew = insert("inbox-owner", "a", "high new", "high", NOW.minusSeconds(10));
    String highOld = insert("inbox-owner", "b", "high old", "high", NOW.minusSeconds(500));
    String critical = insert("inbox-owner", "b", "critical", "critical", NOW.minusSeconds(5));
    String decided = insert("inbox-owner", "a", "done", "critical", NOW.minusSeconds(5));
    decide(decided, "approved", "user:x", NOW);
    insert("someone-else", "a", "not mine", "critical", NOW);

    List<String> all = ids(d -> d.inbox("inbox-owner", null, null, null, NOBODY, 10));
    assertThat(all).containsExactly(critical, highOld, highNew, low);
    assertThat(ids(d -> d.inbox("inbox-owner", "a", null, null, NOBODY, 10))).containsExactly(highNew, low);
    assertThat(ids(d -> d.inbox("inbox-owner", null, "high", null, NOBODY, 10))).containsExactly(highOld, highNew);
    assertThat(ids(d -> d.inbox("inbox-owner", null, null, NOW.minusSeconds(300), NOBODY, 10))).containsExactly(highOld, low);
    // What asks the person comes first, whatever its urgency.
    String mine = insert("inbox-owner", "b", "asks bob", "low", NOW.minusSeconds(1), "bob");
    assertThat(ids(d -> d.inbox("inbox-owner", null, null, null,
        new String[] {"bob", "bob-id", "finance"}, 10)))
        .containsExactly(mine, critical, highOld, highNew, low);
    assertThat(ids(d -> d.inbox("inbox-owner", null, null, null, NOBODY, 10)))
        .containsExactly(critical, highOld, highNew, low, mine);
    List<String> agents = jdbi.withExtension(ReviewerDao.class, d -> d.agents("inbox-owner", 10));
    assertThat(agents).containsExactly("a", "b");
  }

  @Test
  void givenHistory_whenSearched_thenPatternStatusAndIdMatch() {
    String pay = insert("history-owner", "payments", "Pay 100% of INV_7", "normal", NOW.minusSeconds(30));
    String other = insert("history-owner", "ops", "Restart web", "normal", NOW.minusSeconds(20));
    decide(other, "rejected", "review:ann", NOW);

    assertThat(ids(d -> d.history("history-owner", null, "%INV\\_7%", null, 10, 0))).containsExactly(pay);
    assertThat(ids(d -> d.history("history-owner", null, "%review:ann%", null, 10, 0))).containsExactly(other);
    assertThat(ids(d -> d.history("history-owner", "rejected", null, null, 10, 0))).containsExactly(other);
    assertThat(ids(d -> d.history("history-owner", null, "%" + pay + "%", pay, 10, 0))).containsExactly(pay);
    assertThat(ids(d -> d.history("history-owner", null, null, null, 10, 0))).containsExactly(other, pay);
  }

  @Test
  void givenDecisions_whenActivityRead_thenDaysPercentilesAndBreakdownsLeaveOutPolicies() {
    Instant day = NOW.truncatedTo(ChronoUnit.DAYS).plusSeconds(3600);
    for (int i = 1; i <= 4; i++) {
      String id = insert("stats-owner", "bot", "Deploy", "normal", day);
      decide(id, i == 4 ? "rejected" : "approved", "user:u", day.plusSeconds(i * 10L));
    }
    String auto = insert("stats-owner", "bot", "Notify", "normal", day);
    decide(auto, "approved", "policy:notifications", day.plusSeconds(1000));
    insert("stats-owner", "other", "Deploy", "normal", day);

    List<DayRow> days = jdbi.withExtension(ReviewerDao.class,
        d -> d.days("stats-owner", day.minus(1, ChronoUnit.DAYS)));
    assertThat(days).hasSize(1);
    DayRow r = days.get(0);
    assertThat(r.day()).isEqualTo(NOW.truncatedTo(ChronoUnit.DAYS));
    assertThat(r.created()).isEqualTo(6);
    assertThat(r.approved()).isEqualTo(4);
    assertThat(r.rejected()).isEqualTo(1);
    assertThat(r.pending()).isEqualTo(1);
    // People took 10, 20, 30 and 40 s; the policy's 1000 s is not a person's response time.
    assertThat(r.p50Ms()).isEqualTo(25_000.0);
    assertThat(r.p99Ms()).isLessThan(40_001.0);

    List<BreakdownRow> agents = jdbi.withExtension(ReviewerDao.class,
        d -> d.byAgent("stats-owner", day.minus(1, ChronoUnit.DAYS), 10));
    assertThat(agents).extracting(BreakdownRow::label).containsExactly("bot", "other");
    assertThat(agents.get(0).total()).isEqualTo(5);
    assertThat(agents.get(0).p50Ms()).isEqualTo(25_000.0);
    assertThat(agents.get(1).p50Ms()).isNull();
    List<BreakdownRow> actions = jdbi.withExtension(ReviewerDao.class,
        d -> d.byAction("stats-owner", day.minus(1, ChronoUnit.DAYS), 10));
    assertThat(actions).extracting(BreakdownRow::label).containsExactly("Deploy", "Notify");
  }
}
