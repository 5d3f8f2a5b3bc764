package dev.interlock.server.service;

import dev.interlock.server.temporal.EmbeddedTemporal;
import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.store.InterruptDao;
import dev.interlock.store.WebhookDao;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded Temporal's memory bounded. Its test server keeps every workflow it ever
 * ran, about 20 KB per settled interrupt, and never lets go; so once the closed workflows
 * it holds outnumber both the configured threshold and the live ones, this replaces the
 * service with an empty one and re-creates the live waits from PostgreSQL (the recovery
 * pass, as after a restart). Starts and decisions wait while the service is replaced (they
 * are finished first, so none is lost or applied twice); the replacement itself takes
 * milliseconds, re-creating the waits runs after it. Requiring closed ≥ live keeps the
 * re-creation cost at most one start per workflow that closed.
 *
 * <p>The closed count is an estimate: workflows started on the current service (by the
 * gateway and the webhook delivery starters) minus those PostgreSQL says still need one.
 */
public final class EmbeddedRecycler implements Managed {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedRecycler.class);

  private final EmbeddedTemporal embedded;
  private final InterruptGateway gateway;
  private final LongAdder deliveryStarts;
  private final Jdbi jdbi;
  private final RecoveryPass recovery;
  private final long threshold;
  private final Duration interval;
  private ScheduledExecutorService timer;
  private volatile long startsAtRecycle;
  private volatile long closedEstimate;
  private volatile long recycles;
  private final java.util.List<Runnable> afterRecycle =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param threshold recycle once at least this many closed workflows are held (and at least
   *     as many as live ones); 0 never recycles
   */
  public EmbeddedRecycler(EmbeddedTemporal embedded, InterruptGateway gateway,
      LongAdder deliveryStarts, Jdbi jdbi, RecoveryPass recovery, long threshold,
      Duration interval) {
    this.embedded = embedded;
    this.gateway = gateway;
    this.deliveryStarts = deliveryStarts;
    this.jdbi = jdbi;
    this.recovery = recovery;
    this.threshold = threshold;
    this.interval = interval;
  }

  @Override
  public void start() {
    if (threshold <= 0) {
      log.info("embedded Temporal: recycling is off (temporal.embeddedRecycleAfter is 0); its"
          + " memory grows with every settled interrupt");
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "interlock-embedded-recycler");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::checkLogged, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /**
   * Runs {@code hook} after each recycle, once the interrupts' waits are re-created: for
   * other workflows that live only in Temporal and must be re-created from PostgreSQL
   * (Loop's dispatch leases).
   */
  public void afterRecycle(Runnable hook) {
    afterRecycle.add(hook);
  }

  /** Closed workflows the current service holds (estimated at the last check). */
  public long closedWorkflows() {
    return closedEstimate;
  }

  /** How many times the service was replaced since start. */
  public long recycles() {
    return recycles;
  }

  private void checkLogged() {
    try {
      check();
    } catch (RuntimeException e) {
      log.warn("embedded Temporal: recycle check failed: {}", e.getMessage());
    }
  }

  /** Recycles if due; returns whether it did. */
  public boolean check() {
    if (!recovery.isDone()) {
      return false; // the start-up pass is still re-creating waits
    }
    if (loopTurnsOpen()) {
      return false; // a turn's workflow (and its agent) would be lost: wait until none runs
    }
    long live = live();
    long closed = Math.max(0, started() - startsAtRecycle - live);
    closedEstimate = closed;
    if (threshold <= 0 || closed < Math.max(threshold, live)) {
      return false;
    }
    recycle(closed, live);
    return true;
  }

  /** Replaces the service now and re-creates the live waits. */
  public void recycle(long closed, long live) {
    long began = System.nanoTime();
    long[] pause = new long[1];
    gateway.exclusively(() -> {
      long locked = System.nanoTime();
      embedded.recycle();
      startsAtRecycle = started();
      pause[0] = (System.nanoTime() - locked) / 1_000_000;
    });
    recycles++;
    int[] counts = recovery.run();
    int[] hooks = recovery.runDeliveries();
    for (Runnable hook : afterRecycle) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.warn("embedded Temporal recycled: a re-creation hook failed: {}", e.getMessage());
      }
    }
    closedEstimate = 0;
    log.info("embedded Temporal recycled (generation {}): dropped about {} closed workflows,"
        + " re-created {} of {} live waits and {} webhook deliveries; calls paused {} ms, {} ms"
        + " in all", embedded.generation(), closed, counts[1], live, hooks[1], pause[0],
        (System.nanoTime() - began) / 1_000_000);
  }

  private long started() {
    return gateway.workflowsStarted() + deliveryStarts.sum();
  }

  private boolean loopTurnsOpen() {
    return jdbi.withHandle(h -> h.createQuery(
        "select exists (select 1 from loop_turns where status in ('queued', 'running'))")
        .mapTo(Boolean.class).one());
  }

  private long live() {
    return jdbi.withHandle(h -> h.attach(InterruptDao.class).countRecoverable()
        + h.attach(WebhookDao.class).countPendingDeliveries());
  }
}
