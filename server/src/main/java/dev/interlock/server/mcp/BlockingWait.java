package dev.interlock.server.mcp;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.service.InterruptService;
import dev.interlock.model.InterruptRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.interlock.server.metrics.InterlockMetrics;
import dev.interlock.worker.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits inside a tool call until a person decides an interrupt, in slices of the progress
 * interval: each slice is one {@link InterruptService#awaitDecision} (woken by PostgreSQL
 * NOTIFY within milliseconds of the decision, on whichever instance it was taken), and
 * between slices the client hears progress so it does not time the call out. Waiting never
 * changes the interrupt: a client that goes away, a wait that runs out and a server that
 * stops all leave it pending for a person to decide later.
 */
final class BlockingWait {

  private static final Logger log = LoggerFactory.getLogger(BlockingWait.class);

  private final InterruptService interrupts;
  private final Clock clock;
  private final Duration progressInterval;
  private final CompletableFuture<Void> stopping = new CompletableFuture<>();
  private final InterlockMetrics metrics;

  BlockingWait(InterruptService interrupts, Clock clock, Duration progressInterval,
      InterlockMetrics metrics) {
    this.metrics = metrics;
    this.interrupts = interrupts;
    this.clock = clock;
    this.progressInterval = progressInterval;
  }

  /** Ends every wait at once (the server is stopping); the interrupts stay as they are. */
  void stop() {
    stopping.complete(null);
  }

  /**
   * The interrupt once it is no longer pending, or as it is at {@code deadline}, when the
   * client has gone or when the server stops. Sends {@code waiting} as progress at once
   * and after every slice.
   */
  InterruptRow await(Caller caller, String id, Instant deadline, ToolCall call, String waiting) {
    Runnable done = metrics.waiting(InterlockMetrics.Waiter.MCP);
    try (var logged = LogContext.interrupt(id)) {
      return awaitHeld(caller, id, deadline, call, waiting, clock.instant());
    } finally {
      done.run();
    }
  }

  private InterruptRow awaitHeld(Caller caller, String id, Instant deadline, ToolCall call,
      String waiting, Instant since) {
    // A client that hangs up ends the slice under way at once, not when it runs out.
    CompletableFuture<Void> gone = new CompletableFuture<>();
    call.whenGone(() -> gone.complete(null));
    call.progress(waiting);
    while (!stopping.isDone() && !Thread.currentThread().isInterrupted()) {
      Duration remaining = Duration.between(clock.instant(), deadline);
      if (remaining.isNegative() || remaining.isZero()) {
        break;
      }
      Duration slice = remaining.compareTo(progressInterval) < 0 ? remaining : progressInterval;
      InterruptRow row = slice(caller, id, slice, gone);
      if (row != null && !row.isPending()) {
        metrics.woke(InterlockMetrics.Waiter.MCP, since, row.decidedAt());
        return row;
      }
      if (gone.isDone() || call.clientGone()) {
        log.info("MCP client went away while waiting for interrupt {}; it stays pending", id);
        break;
      }
      call.progress(waiting);
    }
    return interrupts.get(caller, id);
  }

  private InterruptRow slice(Caller caller, String id, Duration slice,
      CompletableFuture<Void> gone) {
    CompletableFuture<InterruptRow> decided = interrupts.awaitDecision(caller, id, slice);
    try {
      CompletableFuture.anyOf(decided, stopping, gone)
          .get(slice.toMillis() + 30_000, TimeUnit.MILLISECONDS);
      return decided.isDone() ? decided.get() : null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InterlockException domain) {
        throw domain;
      }
      throw new IllegalStateException("waiting for interrupt " + id + " failed", e.getCause());
    } catch (TimeoutException e) {
      return null; // the store was slow to answer; the next slice asks again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // ends this wait only (see the loop)
      return null;
    } finally {
      // However the slice ended (client gone, server stopping, interrupted, store slow),
      // its waiter goes with it; a slice that was answered has none left.
      decided.cancel(false);
    }
  }
}
