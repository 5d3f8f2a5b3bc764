package dev.interlock.server.service;

import dev.interlock.worker.ExpirySweep;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link ExpirySweep} every {@code expiry.sweepInterval} on a daemon thread, so an
 * interrupt reads as expired within about that long of its deadline, even when thousands
 * expire in the same second and their workflows' timers take a while to drain. Every
 * server runs one; concurrent sweeps skip each other's rows.
 */
public final class ExpirySweeper extends DaemonLoop {

  private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final ExpirySweep sweep;
  private final Duration interval;
  private final int batch;
  public ExpirySweeper(ExpirySweep sweep, Duration interval, int batch) {
    super("interlock-expiry-sweep");
    this.sweep = sweep;
    this.interval = interval;
    this.batch = batch;
  }

  @Override
  protected void loop() {
    Duration backoff = interval;
    while (running()) {
      try {
        int expired;
        do {
          long started = System.nanoTime();
          expired = sweep.expireDue(batch);
          long ms = (System.nanoTime() - started) / 1_000_000;
          // A storm (many at once) is worth an operator's eye; single expiries are routine.
          if (expired >= 100) {
            log.info("expiry sweep: {} interrupts expired in {} ms", expired, ms);
          } else if (expired > 0) {
            log.debug("expiry sweep: {} interrupts expired in {} ms", expired, ms);
          }
        } while (expired == batch && running());
        backoff = interval;
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running()) {
          return;
        }
        // The store is away (e.g. restarting); the workflows' own timers still expire.
        log.warn("expiry sweep failed, next try in {} ms: {}", backoff.toMillis(), e.getMessage());
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
            ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }
}
