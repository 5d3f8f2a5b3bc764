package dev.interlock.server.service;

import dev.interlock.store.InterruptDao;
import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>One dedicated connection LISTENs. If it breaks, every waiter is woken (they re-read
 * the store, so nothing is missed) and the listener reconnects with backoff.
 */
public final class TransitionListener implements Managed {

  private static final Logger log = LoggerFactory.getLogger(TransitionListener.class);

  private final Supplier<Connection> connections;
  private final Map<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
  private volatile boolean running;
  private volatile boolean listening;
  private Thread thread;

  public TransitionListener(Supplier<Connection> connections) {
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
  }

  private void wakeAll() {
    for (String id : waiters.keySet()) {
      wake(id);
    }
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::loop, "interlock-transition-listener");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(5000);
    }
    wakeAll();
  }

  private void loop() {
    long backoffMs = 200;
    while (running) {
      try (Connection c = connections.get()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + InterruptDao.CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        listening = true;
        backoffMs = 200;
        // Anything that happened while we were not listening: let waiters re-check.
        wakeAll();
        while (running) {
          PGNotification[] notifications = pg.getNotifications(1000);
          if (notifications != null) {
            for (PGNotification n : notifications) {
              wake(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (!running) {
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
