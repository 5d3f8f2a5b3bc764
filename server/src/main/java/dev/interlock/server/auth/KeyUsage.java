package dev.interlock.server.auth;

import dev.interlock.store.ApiKeyDao;
import dev.interlock.model.ApiKeyRow;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code api_keys.last_used_at} without a database write per request: uses are noted
 * in memory and written in batches every flush interval and once more on stop. A crash
 * loses at most one interval of "last used" times, which only inform people. Key lists
 * read the noted times through {@link #latest}, so a person sees a use at once rather than
 * up to one interval later (on the instance that served the use; others see it after the
 * flush).
 */
public final class KeyUsage implements Managed {

  private static final Logger log = LoggerFactory.getLogger(KeyUsage.class);

  private final Jdbi jdbi;
  private final Clock clock;
  private final Duration interval;
  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  public KeyUsage(Jdbi jdbi, Clock clock, Duration interval) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.interval = interval;
  }

  /** Notes that a key was used now. Cheap: one map write. */
  public void record(String keyId) {
    pending.put(keyId, clock.instant());
  }

  /** The key with its latest use noted here and not yet written, when that is newer. */
  public ApiKeyRow latest(ApiKeyRow key) {
    Instant noted = pending.get(key.id());
    return noted == null || (key.lastUsedAt() != null && !noted.isAfter(key.lastUsedAt()))
        ? key : key.withLastUsedAt(noted);
  }

  @Override
  public void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "interlock-key-usage");
      t.setDaemon(true);
      return t;
    });
    long millis = Math.max(10, interval.toMillis());
    scheduler.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() throws InterruptedException {
    if (scheduler != null) {
      scheduler.shutdown();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
    flushQuietly();
  }

  /**
   * Writes what was noted since the last flush: one UPDATE per second in which keys were
   * used, stamped with the latest use in that second, so a recorded time is at most one
   * second later than the real one and never earlier. A use is forgotten here only once
   * it is written (and only if no newer use came meanwhile), so lists never miss it in
   * between and a failed write is tried again at the next flush.
   */
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Instant> noted = Map.copyOf(pending);
    Map<Instant, List<String>> bySecond = new HashMap<>();
    Map<Instant, Instant> latest = new HashMap<>();
    noted.forEach((keyId, at) -> {
      Instant second = at.truncatedTo(ChronoUnit.SECONDS);
      bySecond.computeIfAbsent(second, s -> new ArrayList<>()).add(keyId);
      latest.merge(second, at, (a, b) -> a.isAfter(b) ? a : b);
    });
    jdbi.useExtension(ApiKeyDao.class,
        dao -> bySecond.forEach((second, ids) -> dao.touch(ids, latest.get(second))));
    noted.forEach(pending::remove);
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.warn("could not record API key use times: {}", cause.getMessage());
    }
  }
}
