package dev.interlock.server.http;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.server.service.InterruptService;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.metrics.InterlockMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.AsyncResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A long-poll for a decision ({@code GET /interrupts/{id}?wait=N},
 * {@code GET /hitl/poll?...&wait=N}): holds the request until the interrupt leaves pending
 * or the wait runs out, then answers it, once, whatever happens on the way:
 * <ul>
 *   <li>the interrupt as it now is, rendered in the dialect's words;
 *   <li>a domain error (the interrupt went, say) or a failure while reading or rendering,
 *       through the exception mappers like any other request (a 500 carries a log id);
 *   <li>the client hangs up: the wait ends at once, so its waiter does not linger, and the
 *       interrupt as it now is goes to whatever is left of the connection (a client that
 *       only half-closed still reads it);
 *   <li>no answer {@link #GRACE} after the wait should have ended (the store is slow): the
 *       wait is given up and the interrupt read anew; if that is not done within another
 *       grace either, a 503 in the dialect's shape.
 * </ul>
 */
public final class LongPoll {

  /** How long past its wait a held request may take to be answered, twice at most. */
  public static final Duration GRACE = Duration.ofSeconds(5);

  private final InterruptService interrupts;
  private final ClientDisconnects disconnects;
  private final Executor readers;
  private final Duration grace;
  private final InterlockMetrics metrics;

  /** @param readers where the interrupt is read anew when a wait ends early */
  public LongPoll(InterruptService interrupts, ClientDisconnects disconnects, Executor readers,
      InterlockMetrics metrics) {
    this(interrupts, disconnects, readers, GRACE, metrics);
  }

  LongPoll(InterruptService interrupts, ClientDisconnects disconnects, Executor readers,
      Duration grace, InterlockMetrics metrics) {
    this.metrics = metrics;
    this.interrupts = interrupts;
    this.disconnects = disconnects;
    this.readers = readers;
    this.grace = grace;
  }

  /**
   * Answers {@code response} with {@code render} of the interrupt once it is decided or
   * {@code wait} has passed. Throws the domain error of the first read (not found, ...)
   * before anything is held, for the resource method to throw on.
   */
  public void answer(AsyncResponse response, HttpServletRequest request, Caller caller,
      String id, Duration wait, Function<InterruptRow, ?> render) {
    Held held = new Held(response, caller, id, render);
    if (!wait.isZero()) {
      // Set before the wait starts: an answer may come before this method returns.
      response.setTimeoutHandler(r -> held.timedOut());
      response.setTimeout(wait.plus(grace).toMillis(), TimeUnit.MILLISECONDS);
    }
    Instant since = Instant.now();
    CompletableFuture<InterruptRow> decided = interrupts.awaitDecision(caller, id, wait);
    held.decided = decided;
    if (!decided.isDone()) {
      ClientDisconnects.Watch watch = disconnects.watch(request, () -> decided.cancel(false));
      Runnable done = metrics.waiting(InterlockMetrics.Waiter.LONG_POLL);
      decided.whenComplete((row, error) -> {
        watch.close();
        done.run();
        if (row != null && !row.isPending()) {
          metrics.woke(InterlockMetrics.Waiter.LONG_POLL, since, row.decidedAt());
        }
      });
    }
    decided.whenComplete(held::settle);
  }

  /** One held request. Whoever answers first wins; the others find it answered. */
  private final class Held {
    private final AsyncResponse response;
    private final Caller caller;
    private final String id;
    private final Function<InterruptRow, ?> render;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile CompletableFuture<InterruptRow> decided;
    private volatile boolean gaveUpWaiting;

    Held(AsyncResponse response, Caller caller, String id, Function<InterruptRow, ?> render) {
      this.response = response;
      this.caller = caller;
      this.id = id;
      this.render = render;
    }

    /** When the wait ends: decided, run out, failed, or cancelled (client gone, timed out). */
    void settle(InterruptRow row, Throwable error) {
      if (decided.isCancelled()) {
        answerAsItIsNow();
      } else if (error != null) {
        answer(error instanceof CompletionException c && c.getCause() != null
            ? c.getCause() : error);
      } else {
        answer(rendered(row));
      }
    }

    /** On Jersey's timer thread, which must not wait on the store. */
    void timedOut() {
      if (!gaveUpWaiting) {
        gaveUpWaiting = true;
        response.setTimeout(grace.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<InterruptRow> d = decided;
        if (d != null) {
          d.cancel(false); // a wait that ended already is being answered: nothing happens
        }
      } else {
        answer(new TemporarilyUnavailable(
            "The interrupt could not be read in time; ask again"));
      }
    }

    private void answerAsItIsNow() {
      try {
        readers.execute(() -> {
          Object answer;
          try {
            answer = rendered(interrupts.get(caller, id));
          } catch (RuntimeException e) {
            answer = e;
          }
          answer(answer);
        });
      } catch (RejectedExecutionException e) {
        answer(new TemporarilyUnavailable("The server is stopping; ask again"));
      }
    }

    /** The rendered answer, or what rendering threw (for the exception mappers). */
    private Object rendered(InterruptRow row) {
      try {
        return render.apply(row);
      } catch (RuntimeException e) {
        return e;
      }
    }

    private void answer(Object answer) {
      if (answered.compareAndSet(false, true)) {
        if (answer instanceof Throwable t) {
          response.resume(t);
        } else {
          response.resume(answer);
        }
      }
    }
  }
}
