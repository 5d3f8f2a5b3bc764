package dev.interlock.server.http;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * One open server-sent event stream, as every live view of Interlock keeps it (the
 * dashboard's updates, loopat's loop streams, the dashboard's loop pages). Sends are
 * serialised, because pings come from another thread than events; a failed send closes the
 * stream (the client went away), and closing happens once, which {@link #closed()} hears.
 */
public class SseConnection {

  protected final SseEventSink sink;
  protected final Sse sse;
  private boolean closed;

  protected SseConnection(SseEventSink sink, Sse sse) {
    this.sink = sink;
    this.sse = sse;
  }

  public final Sse sse() {
    return sse;
  }

  /** Sends one event; false when the stream is closed, or closes now because it broke. */
  public final synchronized boolean send(OutboundSseEvent event) {
    if (!isOpen()) {
      close();
      return false;
    }
    try {
      sink.send(event).toCompletableFuture().exceptionally(e -> {
        close();
        return null;
      });
      return true;
    } catch (RuntimeException e) {
      close();
      return false;
    }
  }

  /** Ends the stream (again: nothing happens). */
  public final synchronized void close() {
    if (!closed) {
      closed = true;
      closed();
    }
    try {
      sink.close();
    } catch (RuntimeException e) {
      // already gone
    }
  }

  /** Whether events may still be sent: not closed here, and the client has not gone. */
  public final synchronized boolean isOpen() {
    return !closed && !sink.isClosed();
  }

  /** Called once, when the stream is first closed (under its lock): forget it. */
  protected void closed() {}
}
