package dev.interlock.server.service;

import dev.interlock.model.BreakdownRow;
import dev.interlock.model.DayRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.store.InterruptDao;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.store.ReviewerDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What the people's side reads: one interrupt for a review link, the owner's inbox, history
 * and analytics. Decisions still go through {@link InterruptService}.
 */
public final class ReviewService {

  /** How many rows one inbox or history page holds. */
  public static final int PAGE = 100;

  private final Jdbi jdbi;
  private final Clock clock;

  public ReviewService(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /**
   * An interrupt whatever its owner. Only for callers who proved their right to it another
   * way (a verified review link, or an owner check right after).
   */
  public Optional<InterruptRow> find(String id) {
    if (!InterruptService.isUuid(id)) {
      return Optional.empty();
    }
    return jdbi.withHandle(h -> InterruptSql.find(h, id));
  }

  /**
   * Pending work: what asks this person first (its username or user id as the interrupt's
   * user, or it or one of its groups among the reviewers), then most urgent first, then
   * oldest first.
   */
  public List<InterruptRow> inbox(Caller caller, String agent, String urgency, Duration minAge) {
    Instant before = minAge == null ? null : clock.instant().minus(minAge);
    String[] asked = AskedNames.lowered(askedNames(caller));
    return jdbi.withExtension(ReviewerDao.class, dao -> dao.inbox(caller.ownerId(),
        blankToNull(agent), blankToNull(urgency), before, asked, PAGE));
  }

  /**
   * The names an interrupt may use to ask this caller: a user's username, user id and
   * reviewer groups in its current workspace; nothing for keys and review links.
   */
  public List<String> askedNames(Caller caller) {
    return AskedNames.of(jdbi, caller);
  }

  /** Whether the interrupt asks one of {@code names} (its user, assignee or a reviewer). */
  public static boolean asks(InterruptRow row, List<String> names) {
    java.util.Set<String> mine = java.util.Set.of(AskedNames.lowered(names));
    java.util.function.Predicate<String> named =
        n -> n != null && mine.contains(n.toLowerCase(java.util.Locale.ROOT));
    return named.test(row.userId()) || named.test(row.assignee())
        || row.reviewers().stream().anyMatch(named);
  }

  public List<String> agents(Caller caller) {
    return jdbi.withExtension(ReviewerDao.class, dao -> dao.agents(caller.ownerId(), 200));
  }

  /** Newest first; {@code query} is matched as a substring, case-insensitively. */
  public List<InterruptRow> history(Caller caller, String status, String query, int page) {
    String q = blankToNull(query);
    String pattern = q == null ? null : "%" + escapeLike(q.trim()) + "%";
    String exactId = q != null && InterruptService.isUuid(q.trim()) ? q.trim() : null;
    return jdbi.withExtension(ReviewerDao.class, dao -> dao.history(caller.ownerId(),
        blankToNull(status), pattern, exactId, PAGE + 1, Math.max(0, page) * PAGE));
  }

  /** Activity of the last {@code days} days: day by day, by agent and by action. */
  public record Activity(Instant since, List<DayRow> days,
      List<BreakdownRow> agents, List<BreakdownRow> actions) {}

  public Activity activity(Caller caller, int days) {
    Instant since = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS)
        .minus(Duration.ofDays(Math.max(1, days) - 1L));
    return jdbi.withExtension(ReviewerDao.class, dao -> new Activity(since,
        dao.days(caller.ownerId(), since), dao.byAgent(caller.ownerId(), since, 10),
        dao.byAction(caller.ownerId(), since, 10)));
  }

  static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
