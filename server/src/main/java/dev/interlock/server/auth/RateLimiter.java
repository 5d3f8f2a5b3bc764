package dev.interlock.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Per-minute limits as token buckets (Bucket4j): a bucket holds {@code limit} tokens and
 * refills them evenly over 60 seconds, so a caller may use its whole minute at once and then
 * one request per {@code 60/limit} seconds. Buckets live in PostgreSQL by default (Bucket4j's
 * {@code SELECT ... FOR UPDATE} backend, table {@code rate_limit_buckets}), so a limit holds
 * across every instance of a cluster; {@link #inMemory} keeps them in this process.
 *
 * <p>A bucket is named by what it limits ({@code key:<id>}, {@code login-address:<ip>} …)
 * and the limit itself, so a changed limit starts a fresh bucket.
 */
public final class RateLimiter {

  static final Duration WINDOW = Duration.ofMinutes(1);

  /** What the headers say about one request. {@code resetSeconds}: until a token is back. */
  public record Decision(boolean allowed, int limit, int remaining, long resetSeconds) {}

  private interface Buckets {
    ConsumptionProbe consume(String name, int limit);
  }

  private final Buckets buckets;
  private final PostgreSQLSelectForUpdateBasedProxyManager<String> shared;
  private volatile java.util.function.Consumer<String> refusals = kind -> { };

  private RateLimiter(Buckets buckets, PostgreSQLSelectForUpdateBasedProxyManager<String> shared) {
    this.buckets = buckets;
    this.shared = shared;
  }

  /** Buckets in PostgreSQL, shared by every instance that uses the same database. */
  public static RateLimiter shared(DataSource dataSource, Clock clock) {
    return shared(dataSource, clock, Duration.ofSeconds(10));
  }

  /**
   * @param keepAfterRefill how long a row stays after its bucket is full again (Bucket4j
   *     counts this in the system's time, whatever {@code clock} says)
   */
  static RateLimiter shared(DataSource dataSource, Clock clock, Duration keepAfterRefill) {
    PostgreSQLSelectForUpdateBasedProxyManager<String> proxies =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(restoringAutoCommit(dataSource))
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table("rate_limit_buckets")
            .idColumn("id")
            .stateColumn("state")
            .expiresAtColumn("expires_at")
            // A row may go once its bucket is full again: it would start full anyway.
            .expirationAfterWrite(ExpirationAfterWriteStrategy
                .basedOnTimeForRefillingBucketUpToMax(keepAfterRefill))
            .clientClock(timeMeter(clock))
            .build();
    return new RateLimiter((name, limit) -> proxies.builder()
        .build(name, () -> configuration(limit))
        .tryConsumeAndReturnRemaining(1), proxies);
  }

  /** Buckets in this process: each instance of a cluster counts on its own. */
  public static RateLimiter inMemory(Clock clock) {
    TimeMeter time = timeMeter(clock);
    Cache<String, Bucket> local = Caffeine.newBuilder()
        .expireAfterAccess(WINDOW.multipliedBy(2)).maximumSize(1_000_000).build();
    return new RateLimiter((name, limit) -> local.get(name, n -> Bucket.builder()
            .addLimit(l -> l.capacity(limit).refillGreedy(limit, WINDOW))
            .withCustomTimePrecision(time)
            .build())
        .tryConsumeAndReturnRemaining(1), null);
  }

  /**
   * Hears of every refusal, with the kind of bucket that refused (the part of its name before
   * the colon: {@code key}, {@code login-address}, ...; never the key or address itself).
   */
  public void onRefusal(java.util.function.Consumer<String> listener) {
    this.refusals = listener;
  }

  /** Takes one token of the bucket {@code what} (e.g. {@code key:<id>}) limited to {@code limit} a minute. */
  public Decision acquire(String what, int limit) {
    ConsumptionProbe probe = buckets.consume(what + "@" + limit, limit);
    int remaining = (int) Math.min(limit, probe.getRemainingTokens());
    long waitNanos;
    if (!probe.isConsumed()) {
      waitNanos = probe.getNanosToWaitForRefill();
    } else {
      // Until the next token is back: the time to full, less the later tokens' share of it.
      int missing = limit - remaining;
      long perToken = WINDOW.toNanos() / limit;
      waitNanos = missing == 0 ? 0 : probe.getNanosToWaitForReset() - (missing - 1) * perToken;
    }
    long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    if (!probe.isConsumed()) {
      int colon = what.indexOf(':');
      refusals.accept(colon > 0 && colon <= 32 ? what.substring(0, colon) : "other");
    }
    return new Decision(probe.isConsumed(), limit, remaining, seconds);
  }

  /** Removes up to {@code batch} buckets that have refilled; 0 when they are in memory. */
  public int removeRefilled(int batch) {
    return shared == null ? 0 : shared.removeExpired(batch);
  }

  private static BucketConfiguration configuration(int limit) {
    return BucketConfiguration.builder()
        .addLimit(l -> l.capacity(limit).refillGreedy(limit, WINDOW))
        .build();
  }

  /**
   * The pool's connections as Bucket4j needs them, handed back as the pool lent them. Bucket4j
   * turns auto-commit off for its transaction and returns the connection without turning it
   * back on; the next borrower (a JDBI handle) would then run in a transaction that never
   * commits, its writes visible only on that connection. Closing through this wrapper rolls
   * back anything left open and restores auto-commit first.
   */
  private static DataSource restoringAutoCommit(DataSource pool) {
    return (DataSource) Proxy.newProxyInstance(RateLimiter.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(pool, method, args);
          return result instanceof Connection c ? restoringOnClose(c) : result;
        });
  }

  private static Connection restoringOnClose(Connection connection) {
    return (Connection) Proxy.newProxyInstance(RateLimiter.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0
              && !connection.isClosed()) {
            try {
              if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
              }
            } finally {
              connection.close();
            }
            return null;
          }
          return invoke(connection, method, args);
        });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Bucket4j's clock from ours, so tests can move time. */
  private static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return TimeUnit.MILLISECONDS.toNanos(clock.millis());
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }
}
