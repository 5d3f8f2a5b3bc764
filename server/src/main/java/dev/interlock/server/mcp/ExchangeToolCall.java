package dev.interlock.server.mcp;

import dev.interlock.server.http.ClientDisconnects;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tool call served over an MCP session: progress goes to the client as
 * {@code notifications/progress} with the token it sent; over HTTP, the client has gone
 * when its connection closes ({@link ClientDisconnects} watches it while the call runs),
 * when the request's stream ends before the call returned, or when a write to it failed.
 * Close it when the call returns.
 */
final class ExchangeToolCall implements ToolCall, AutoCloseable {

  /** Transport context key of the HTTP request a call arrived on. */
  static final String HTTP_REQUEST = ExchangeToolCall.class.getName() + ".request";

  private static final Logger log = LoggerFactory.getLogger(ExchangeToolCall.class);

  private final McpSyncServerExchange exchange;
  private final Object progressToken;
  private final CompletableFuture<Void> gone = new CompletableFuture<>();
  /** The writer of the call's SSE stream, whose error state tells a vanished client. */
  private final PrintWriter stream;
  private final ClientDisconnects.Watch watch;
  private double progress;

  ExchangeToolCall(McpSyncServerExchange exchange, CallToolRequest request,
      ClientDisconnects disconnects) {
    this.exchange = exchange;
    this.progressToken = request.meta() == null ? null : request.meta().get("progressToken");
    // The handler runs on the servlet thread while the request's stream is open (the
    // transport started async processing before dispatching the call). A write to a
    // vanished client fails inside the transport, which only logs it; the response's
    // writer keeps the error, and the stream's end is heard here too.
    PrintWriter writer = null;
    ClientDisconnects.Watch watching = () -> {};
    if (exchange.transportContext().get(HTTP_REQUEST) instanceof HttpServletRequest http
        && http.isAsyncStarted()) {
      try {
        writer = http.getAsyncContext().getResponse().getWriter();
      } catch (IOException | RuntimeException e) {
        log.debug("no response writer to watch: {}", e.getMessage());
      }
      http.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          gone.complete(null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          gone.complete(null);
        }

        @Override
        public void onError(AsyncEvent event) {
          gone.complete(null);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {}
      });
      if (disconnects != null) {
        // Nothing is written while a call waits without a progress token, so only the
        // connection itself can tell that the client hung up.
        watching = disconnects.watch(http, () -> gone.complete(null));
      }
    }
    this.stream = writer;
    this.watch = watching;
  }

  @Override
  public String clientName() {
    McpSchema.Implementation info = exchange.getClientInfo();
    return info == null ? null : info.name();
  }

  @Override
  public synchronized void progress(String message) {
    if (progressToken == null || gone.isDone()) {
      return;
    }
    progress += 1;
    try {
      exchange.progressNotification(
          new McpSchema.ProgressNotification(progressToken, progress, null, message));
    } catch (RuntimeException e) {
      log.debug("progress notification not sent: {}", e.getMessage());
    }
  }

  @Override
  public boolean clientGone() {
    if (!gone.isDone() && stream != null) {
      try {
        if (stream.checkError()) {
          gone.complete(null);
        }
      } catch (RuntimeException e) {
        gone.complete(null);
      }
    }
    return gone.isDone();
  }

  @Override
  public void whenGone(Runnable action) {
    gone.thenRun(action);
  }

  /** The call returned: stop watching its connection. */
  @Override
  public void close() {
    watch.close();
  }
}
