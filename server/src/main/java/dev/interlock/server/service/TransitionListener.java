package dev.interlock.server.service;

import dev.interlock.store.InterruptSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans PostgreSQL notifications about interrupt transitions out to the waiters of this
 * instance (long-polls, and later SSE and blocking MCP calls). The projection activity
 * NOTIFYs in the transaction that records a transition, so a waiter wakes whichever
 * instance took the decision.
 *
 * <p>It also tells {@link Subscriber}s (live pages) about every transition, about new
 * interrupts and about approvals towards a quorum, which are announced on channels of their
 * own so that they never wake a decision waiter (the interrupt is still pending).
 *
 * <p>One dedicated connection LISTENs. If it breaks, every waiter is woken (they re-read
 * the store, so nothing is missed), subscribers are told to resynchronise, and the listener
 * reconnects with backoff.
 */
public final class TransitionListener extends DaemonLoop {

  private static final Logger log = LoggerFactory.getLogger(TransitionListener.class);

  private final Supplier<Connection> connections;
  private final Map<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean listening;

  public TransitionListener(Supplier<Connection> connections) {
    super("interlock-transition-listener");
    this.connections = connections;
  }

  /**
   * Registers interest in an interrupt. Register before reading the store, so a transition
   * that commits between the read and the wait is not missed.
   */
  public CompletableFuture<Void> register(String interruptId) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    waiters.computeIfAbsent(interruptId, k -> ConcurrentHashMap.newKeySet()).add(future);
    return future;
  }

  /**
   * Hears about every change, on the listener's thread: implementations must return
   * quickly and never block on I/O.
   */
  public interface Subscriber {
    /** A new interrupt was stored. */
    void created(String interruptId);

    /** An interrupt left pending (decided, expired or cancelled). */
    void transitioned(String interruptId);

    /**
     * An approval towards an interrupt's quorum was recorded; it is still pending. By default
     * the same as a transition: whoever shows the interrupt reads it again.
     */
    default void approvalRecorded(String interruptId) {
      transitioned(interruptId);
    }

    /** Notifications may have been missed (the connection broke): re-read everything. */
    void resync();
  }

  public void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  public void unregister(String interruptId, CompletableFuture<Void> future) {
    waiters.computeIfPresent(interruptId, (k, set) -> {
      set.remove(future);
      return set.isEmpty() ? null : set;
    });
  }

  public int waiting() {
    return waiters.values().stream().mapToInt(Set::size).sum();
  }

  public boolean isListening() {
    return listening;
  }

  void wake(String interruptId) {
    Set<CompletableFuture<Void>> set = waiters.remove(interruptId);
    if (set != null) {
      set.forEach(f -> f.complete(null));
    }
    tell(s -> s.transitioned(interruptId));
  }

  private void wakeAll() {
    for (String id : waiters.keySet()) {
      Set<CompletableFuture<Void>> set = waiters.remove(id);
      if (set != null) {
        set.forEach(f -> f.complete(null));
      }
    }
    tell(Subscriber::resync);
  }

  private void tell(java.util.function.Consumer<Subscriber> message) {
    for (Subscriber s : subscribers) {
      try {
        message.accept(s);
      } catch (RuntimeException e) {
        log.warn("a transition subscriber failed", e);
      }
    }
  }

  @Override
  protected void afterStop() {
    wakeAll();
  }

  @Override
  protected void loop() {
    long backoffMs = 200;
    while (running()) {
      try (Connection c = connections.get()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + InterruptSql.CHANNEL);
          s.execute("LISTEN " + InterruptSql.CREATED_CHANNEL);
          s.execute("LISTEN " + InterruptSql.APPROVAL_CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        listening = true;
        backoffMs = 200;
        // Anything that happened while we were not listening: let waiters re-check.
        wakeAll();
        while (running()) {
          PGNotification[] notifications = pg.getNotifications(1000);
          if (notifications != null) {
            for (PGNotification n : notifications) {
              if (InterruptSql.CREATED_CHANNEL.equals(n.getName())) {
                tell(sub -> sub.created(n.getParameter()));
              } else if (InterruptSql.APPROVAL_CHANNEL.equals(n.getName())) {
                tell(sub -> sub.approvalRecorded(n.getParameter()));
              } else {
                wake(n.getParameter());
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (!running()) {
          return;
        }
        log.warn("transition listener lost its PostgreSQL connection ({}); reconnecting in {} ms",
            e.getMessage(), backoffMs);
        wakeAll();
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
    listening = false;
  }
}
