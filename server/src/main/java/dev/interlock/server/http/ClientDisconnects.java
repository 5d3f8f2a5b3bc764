package dev.interlock.server.http;

import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the client of a request that the server holds open (a long-poll, a blocking
 * MCP tool call) has gone, so that its wait ends at once instead of when it runs out.
 *
 * <p>Jetty notices that an HTTP/1.1 client closed its connection only when it next reads
 * or writes on it, and a held request does neither: neither JAX-RS's
 * {@code ConnectionCallback}, nor the servlet {@code AsyncListener}, nor Jetty's failure
 * listeners hear of it until the answer is written. So the sockets of held HTTP/1.x
 * requests are watched here, on a selector of this class's own, for readability. Readable
 * with nothing to read means the client closed or reset the connection. Bytes to read (a
 * pipelined request, a TLS alert) end the watch and are left untouched for Jetty: nothing
 * is ever read here. Jetty's failure listener is registered too; it reports what Jetty does
 * hear of (an HTTP/2 stream reset, the server stopping).
 */
public final class ClientDisconnects implements Managed {

  private static final Logger log = LoggerFactory.getLogger(ClientDisconnects.class);

  /** Stops watching; safe to call more than once and after the client went. */
  public interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  private final Queue<Watched> changes = new ConcurrentLinkedQueue<>();
  private volatile Selector selector;
  private volatile boolean running;
  private Thread thread;

  /**
   * Runs {@code gone} (once, on a thread of this class or Jetty's, so it must be quick and
   * must not block) if the client of {@code request} goes before the watch is closed.
   */
  public Watch watch(HttpServletRequest request, Runnable gone) {
    Watched w = new Watched(gone);
    ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
    if (jetty == null) {
      return w;
    }
    jetty.addFailureListener(failure -> w.fire());
    ConnectionMetaData connection = jetty.getConnectionMetaData();
    HttpVersion version = connection.getHttpVersion();
    Selector s = selector;
    if (s != null && running
        && (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0)
        && connection.getConnection().getEndPoint().getTransport() instanceof SocketChannel c) {
      w.channel = c;
      changes.add(w);
      s.wakeup();
    }
    return w;
  }

  @Override
  public void start() throws IOException {
    selector = Selector.open();
    running = true;
    thread = new Thread(this::loop, "interlock-client-disconnects");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() throws Exception {
    running = false;
    Selector s = selector;
    if (s != null) {
      s.wakeup();
    }
    if (thread != null) {
      thread.join(5_000);
    }
    if (s != null) {
      s.close();
    }
  }

  private void loop() {
    Selector s = selector;
    while (running) {
      try {
        // Cancelled keys leave the selector (and the channel may then really close) at the
        // next select; the timeout bounds that even when nothing wakes it.
        s.select(1_000);
      } catch (IOException | RuntimeException e) {
        // Held requests still end when their waits do; only the early end is lost.
        log.warn("stopped watching for clients that hang up: {}", e.toString());
        running = false;
        return;
      }
      List<Watched> due = new ArrayList<>();
      for (Watched w; (w = changes.poll()) != null; ) {
        due.add(w);
      }
      if (!due.isEmpty()) {
        due.forEach(Watched::stopIfDone);
        try {
          s.selectNow(); // lets the keys just cancelled go, so their channels can be watched anew
        } catch (IOException e) {
          log.debug("selectNow: {}", e.toString());
        }
        due.forEach(w -> w.startIfDue(s));
      }
      for (SelectionKey key : s.selectedKeys()) {
        Watched w = (Watched) key.attachment();
        key.cancel();
        w.key = null;
        if (!w.done.get() && nothingToRead(w.channel)) {
          w.fire();
        }
      }
      s.selectedKeys().clear();
    }
  }

  /** Readable with no bytes waiting: end of stream or a reset, either way the client went. */
  private static boolean nothingToRead(SocketChannel channel) {
    try {
      // available() asks the kernel how many bytes wait (FIONREAD); it reads nothing. The
      // stream must not be closed: closing it would close the channel.
      return channel.socket().getInputStream().available() == 0;
    } catch (IOException e) {
      return true; // closed meanwhile
    }
  }

  /** One held request's watch; {@code key} is touched only by the selector's thread. */
  private final class Watched implements Watch {
    final Runnable gone;
    final AtomicBoolean done = new AtomicBoolean();
    volatile SocketChannel channel;
    SelectionKey key;

    Watched(Runnable gone) {
      this.gone = gone;
    }

    void fire() {
      if (done.compareAndSet(false, true)) {
        forget();
        try {
          gone.run();
        } catch (RuntimeException e) {
          log.warn("ending the wait of a client that went failed", e);
        }
      }
    }

    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        forget();
      }
    }

    private void forget() {
      Selector s = selector;
      if (channel != null && s != null) {
        changes.add(this);
        s.wakeup();
      }
    }

    /** On the selector's thread. */
    void stopIfDone() {
      if (done.get() && key != null) {
        key.cancel();
        key = null;
      }
    }

    /** On the selector's thread, after {@link #stopIfDone} and a selection. */
    void startIfDue(Selector s) {
      if (done.get() || key != null) {
        return;
      }
      try {
        key = channel.register(s, SelectionKey.OP_READ, this);
      } catch (ClosedChannelException e) {
        fire(); // the connection closed before the watch began
      } catch (CancelledKeyException e) {
        changes.add(this); // an earlier watch of this connection is still leaving: next round
      } catch (IllegalBlockingModeException | IllegalArgumentException e) {
        log.debug("cannot watch connection {}: {}", channel, e.toString());
      }
    }
  }
}
