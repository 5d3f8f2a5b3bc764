package dev.interlock.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.store.StoreSupport;
import dev.interlock.store.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token buckets per minute, in PostgreSQL (shared by instances) and in memory, moved by a
 * manual clock.
 */
class RateLimiterTest {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  /** A migrated schema of its own, so that buckets of one test never meet another's. */
  static DataSource freshDatabase() {
    String schema = "rate_limiter_" + SCHEMAS.incrementAndGet();
    try (Connection c = TestDatabase.server().dataSource().getConnection()) {
      c.createStatement().execute("create schema " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    DataSource ds = TestDatabase.dataSource(schema);
    StoreSupport.migrate(ds, schema);
    return ds;
  }

  static Stream<Function<Clock, RateLimiter>> backends() {
    return Stream.of(RateLimiter::inMemory, clock -> RateLimiter.shared(freshDatabase(), clock));
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void aFullMinuteMayBeUsedAtOnceThenOneTokenComesBackPerSixtiethOfTheLimit(
      Function<Clock, RateLimiter> backend) {
    ManualClock clock = new ManualClock();
    RateLimiter limiter = backend.apply(clock);
    assertThat(limiter.acquire("key:k", 3).remaining()).isEqualTo(2);
    assertThat(limiter.acquire("key:k", 3).remaining()).isEqualTo(1);
    RateLimiter.Decision last = limiter.acquire("key:k", 3);
    assertThat(last.allowed()).isTrue();
    assertThat(last.remaining()).isZero();
    assertThat(last.resetSeconds()).as("one token back after 60/3 s").isEqualTo(20);

    clock.advance(Duration.ofSeconds(5));
    RateLimiter.Decision refused = limiter.acquire("key:k", 3);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.resetSeconds()).isEqualTo(15);

    clock.advance(Duration.ofSeconds(15));
    assertThat(limiter.acquire("key:k", 3).allowed()).isTrue();
    assertThat(limiter.acquire("key:k", 3).allowed()).as("only one came back").isFalse();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void refusalsTakeNoToken(Function<Clock, RateLimiter> backend) {
    ManualClock clock = new ManualClock();
    RateLimiter limiter = backend.apply(clock);
    assertThat(limiter.acquire("key:k", 1).allowed()).isTrue();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(10));
      assertThat(limiter.acquire("key:k", 1).allowed()).isFalse();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.acquire("key:k", 1).allowed()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void bucketsAreNamedByWhatTheyLimitAndTheLimit(Function<Clock, RateLimiter> backend) {
    RateLimiter limiter = backend.apply(new ManualClock());
    assertThat(limiter.acquire("key:a", 1).allowed()).isTrue();
    assertThat(limiter.acquire("key:b", 1).allowed()).isTrue();
    assertThat(limiter.acquire("key:a", 1).allowed()).isFalse();
    assertThat(limiter.acquire("key:a", 2).allowed()).as("a new limit, a new bucket").isTrue();
  }

  @Test
  void inPostgresTwoInstancesShareOneBucket() {
    ManualClock clock = new ManualClock();
    DataSource db = freshDatabase();
    RateLimiter one = RateLimiter.shared(db, clock);
    RateLimiter other = RateLimiter.shared(db, clock);
    assertThat(one.acquire("key:k", 2).allowed()).isTrue();
    assertThat(other.acquire("key:k", 2).allowed()).isTrue();
    assertThat(one.acquire("key:k", 2).allowed()).isFalse();
    assertThat(other.acquire("key:k", 2).allowed()).isFalse();
  }

  @Test
  void inMemoryEachInstanceCountsAlone() {
    ManualClock clock = new ManualClock();
    RateLimiter one = RateLimiter.inMemory(clock);
    RateLimiter other = RateLimiter.inMemory(clock);
    assertThat(one.acquire("key:k", 1).allowed()).isTrue();
    assertThat(other.acquire("key:k", 1).allowed()).isTrue();
  }

  /** Bucket4j's cleanup compares with the system clock, so these buckets live in real time. */
  @Test
  void refilledBucketsAreRemovedFromPostgres() throws Exception {
    DataSource db = freshDatabase();
    RateLimiter limiter = RateLimiter.shared(db, Clock.systemUTC(), Duration.ZERO);
    limiter.acquire("key:fast", 60_000); // a token comes back every millisecond
    limiter.acquire("key:slow", 1);      // a minute to refill
    Thread.sleep(50);

    assertThat(limiter.removeRefilled(100)).as("the refilled one").isEqualTo(1);
    try (Connection c = db.getConnection();
        var rows = c.createStatement().executeQuery("select id from rate_limit_buckets")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("key:slow@1");
      assertThat(rows.next()).isFalse();
    }
    assertThat(limiter.acquire("key:fast", 60_000).remaining()).as("starts full again")
        .isEqualTo(59_999);
  }

  /**
   * Bucket4j turns auto-commit off and returns the connection so; through a real pool the
   * next borrower would run in a transaction that never commits (found by the server tests:
   * keys and interrupts created after a login were visible on one connection only).
   */
  @Test
  void aPooledConnectionComesBackWithAutoCommitOn() throws SQLException {
    DataSource db = freshDatabase();
    var pool = new org.apache.tomcat.jdbc.pool.DataSource();
    pool.setDataSource(db);
    pool.setMaxActive(1);
    pool.setInitialSize(1);
    try {
      RateLimiter limiter = RateLimiter.shared(pool, Clock.systemUTC());
      assertThat(limiter.acquire("login-address:127.0.0.1", 5).allowed()).isTrue();
      try (Connection c = pool.getConnection()) {
        assertThat(c.getAutoCommit()).isTrue();
        c.createStatement().execute("insert into rate_limit_buckets (id) values ('after')");
      }
      try (Connection other = db.getConnection();
          var rows = other.createStatement().executeQuery(
              "select count(*) from rate_limit_buckets where id = 'after'")) {
        rows.next();
        assertThat(rows.getInt(1)).as("committed, seen from another connection").isEqualTo(1);
      }
    } finally {
      pool.close();
    }
  }
}
