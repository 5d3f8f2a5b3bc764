package dev.interlock.server.service;

import dev.interlock.store.InterruptDao;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.worker.webhook.Deliveries;
import io.dropwizard.lifecycle.Managed;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every start, makes sure every interrupt that still waits (or still owes its callback)
 * has a workflow. The embedded Temporal keeps nothing across restarts, so there this
 * re-creates them, each with its remaining time (an expiry already past fires at once).
 * Against a live cluster every start finds the workflow running and changes nothing.
 *
 * <p>Runs in the background so the server answers at once; a decide that reaches an
 * interrupt before the pass does re-creates that one workflow itself.
 */
public final class RecoveryPass implements Managed {

  private static final Logger log = LoggerFactory.getLogger(RecoveryPass.class);
  private static final int PAGE = 500;
  private static final int PARALLEL_STARTS = 8;

  private final Jdbi jdbi;
  private final WorkflowStarter starter;
  private final Deliveries deliveries;
  private final AtomicBoolean done = new AtomicBoolean();
  private Thread thread;

  public RecoveryPass(Jdbi jdbi, WorkflowStarter starter, Deliveries deliveries) {
    this.jdbi = jdbi;
    this.starter = starter;
    this.deliveries = deliveries;
  }

  @Override
  public void start() {
    thread = new Thread(this::runLogged, "interlock-recovery");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() {
    if (thread != null) {
      thread.interrupt();
    }
  }

  /**
   * Runs the pass again in the background, e.g. after a managed Temporal dev server was
   * restarted: a create that failed while it was down left a pending row without a workflow.
   */
  public void rerun(String reason) {
    log.info("recovery pass again: {}", reason);
    Thread again = new Thread(this::runLogged, "interlock-recovery-again");
    again.setDaemon(true);
    again.start();
  }

  public boolean isDone() {
    return done.get();
  }

  private void runLogged() {
    long started = System.nanoTime();
    try {
      int[] counts = run();
      int[] hooks = runDeliveries();
      log.info("recovery pass: {} waiting interrupts found, {} workflows started, {} already"
          + " running; {} pending webhook deliveries, {} re-started ({} ms)", counts[0], counts[1],
          counts[0] - counts[1], hooks[0], hooks[1], (System.nanoTime() - started) / 1_000_000);
    } catch (RuntimeException e) {
      log.error("recovery pass failed; interrupts without a workflow are re-created when next"
          + " decided, or on the next start", e);
    } finally {
      done.set(true);
    }
  }

  /** Webhook deliveries still pending: each needs its delivery workflow. Returns {checked, started}. */
  public int[] runDeliveries() {
    int checked = 0;
    int started = 0;
    for (var delivery : jdbi.withExtension(WebhookDao.class, d -> d.pendingDeliveries(100_000))) {
      checked++;
      try {
        if (deliveries.start(delivery.id())) {
          started++;
        }
      } catch (RuntimeException e) {
        log.warn("recovery: could not start webhook delivery {}: {}", delivery.id(), e.getMessage());
      }
    }
    return new int[] {checked, started};
  }

  /** Returns {checked, started}. Starts run in parallel: each is one round trip to Temporal. */
  public int[] run() {
    int checked = 0;
    java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_STARTS);
    try {
      Instant after = Instant.EPOCH;
      String afterId = new java.util.UUID(0, 0).toString();
      while (!Thread.currentThread().isInterrupted()) {
        Instant a = after;
        String aId = afterId;
        List<InterruptRow> page = jdbi.withExtension(InterruptDao.class,
            dao -> dao.recoverable(a, aId, PAGE));
        List<java.util.concurrent.Future<?>> starts = new java.util.ArrayList<>();
        for (InterruptRow row : page) {
          checked++;
          starts.add(pool.submit(() -> {
            try {
              if (starter.ensureWorkflow(row)) {
                started.incrementAndGet();
              }
            } catch (RuntimeException e) {
              log.warn("recovery: could not start the workflow of interrupt {}: {}", row.id(),
                  e.getMessage());
            }
          }));
        }
        for (var f : starts) {
          try {
            f.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          } catch (java.util.concurrent.ExecutionException e) {
            log.warn("recovery: {}", e.getCause().getMessage());
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        InterruptRow last = page.get(page.size() - 1);
        after = last.createdAt();
        afterId = last.id();
      }
    } finally {
      pool.shutdownNow();
    }
    return new int[] {checked, started.get()};
  }
}
