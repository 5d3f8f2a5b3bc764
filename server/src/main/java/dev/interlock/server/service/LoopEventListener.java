package dev.interlock.server.service;

import dev.interlock.store.LoopDao;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this instance's loop streams that a loop has new events: every append NOTIFYs the
 * loop's id in the transaction that stores the event, so a stream wakes whichever instance
 * (or worker) appended it, then reads on from the last sequence number it sent. One
 * dedicated connection LISTENs; if it breaks, every stream is told to re-read.
 */
public final class LoopEventListener extends DaemonLoop {

  private static final Logger log = LoggerFactory.getLogger(LoopEventListener.class);

  /** Hears about loops with new events, on the listener's thread: return quickly. */
  public interface Subscriber {
    void appended(String loopId);

    /** Notifications may have been missed: re-read every loop. */
    void resync();
  }

  private final Supplier<Connection> connections;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean listening;

  public LoopEventListener(Supplier<Connection> connections) {
    super("interlock-loop-event-listener");
    this.connections = connections;
  }

  public void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  public boolean isListening() {
    return listening;
  }

  private void tell(java.util.function.Consumer<Subscriber> message) {
    for (Subscriber s : subscribers) {
      try {
        message.accept(s);
      } catch (RuntimeException e) {
        log.warn("a loop event subscriber failed", e);
      }
    }
  }

  @Override
  protected void afterStop() {
    tell(Subscriber::resync);
  }

  @Override
  protected void loop() {
    long backoffMs = 200;
    while (running()) {
      try (Connection c = connections.get()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + LoopDao.CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        listening = true;
        backoffMs = 200;
        tell(Subscriber::resync);
        while (running()) {
          PGNotification[] notifications = pg.getNotifications(1000);
          if (notifications != null) {
            for (PGNotification n : notifications) {
              tell(sub -> sub.appended(n.getParameter()));
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (!running()) {
          return;
        }
        log.warn("loop event listener lost its PostgreSQL connection ({}); reconnecting in {} ms",
            e.getMessage(), backoffMs);
        tell(Subscriber::resync);
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
