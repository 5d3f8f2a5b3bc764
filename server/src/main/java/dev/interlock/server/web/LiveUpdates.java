package dev.interlock.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.service.ReviewService;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.http.SseConnection;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import dev.interlock.server.metrics.InterlockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for the web pages, fed by {@link TransitionListener}, so a decision
 * taken on any instance (or an expiry, or a new interrupt) reaches every open page:
 *
 * <ul>
 *   <li>a review page's stream ({@code /review/{id}/events}) gets {@code state} events with
 *       the interrupt's outcome, and is closed once the interrupt has left pending;
 *   <li>an owner's dashboard stream ({@code /ui/events}) gets a {@code change} event for
 *       each of the owner's interrupts that is created or leaves pending, and {@code resync}
 *       when notifications may have been missed.
 * </ul>
 *
 * A comment every 15 s keeps idle connections (and proxies) open and finds closed ones.
 * Streams are closed when the server stops (open streams would hold Jetty's graceful stop).
 */
public final class LiveUpdates implements TransitionListener.Subscriber {

  private static final Logger log = LoggerFactory.getLogger(LiveUpdates.class);
  static final long PING_SECONDS = 15;

  /** One open event stream; sends are serialised because pings come from another thread. */
  static final class Stream extends SseConnection {
    final String key;

    private final Runnable done;
    final java.time.Instant openedAt = java.time.Instant.now();

    Stream(SseEventSink sink, Sse sse, String key, Runnable done) {
      super(sink, sse);
      this.key = key;
      this.done = done;
    }

    @Override
    protected void closed() {
      done.run();
    }
  }

  private final ReviewService reviews;
  private final ObjectMapper json;
  private final Function<InterruptRow, ObjectNode> stateView;
  private final Executor readers;
  private final Map<String, Set<Stream>> byInterrupt = new ConcurrentHashMap<>();
  private final Map<String, Set<Stream>> byOwner = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "interlock-sse-ping");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;
  private final InterlockMetrics metrics;

  public LiveUpdates(ReviewService reviews, ObjectMapper json,
      Function<InterruptRow, ObjectNode> stateView, Executor readers, InterlockMetrics metrics) {
    this.metrics = metrics;
    this.reviews = reviews;
    this.json = json;
    this.stateView = stateView;
    this.readers = readers;
    pinger.scheduleAtFixedRate(this::ping, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
  }

  /** Streams the outcome of one interrupt: its state now, and again when it changes. */
  public void watchInterrupt(SseEventSink sink, Sse sse, String interruptId) {
    Stream stream = new Stream(sink, sse, interruptId,
        metrics.waiting(InterlockMetrics.Waiter.SSE));
    if (closed) {
      stream.close();
      return;
    }
    // Register before reading, so a transition in between is not missed.
    byInterrupt.computeIfAbsent(interruptId, k -> ConcurrentHashMap.newKeySet()).add(stream);
    stream.send(sse.newEventBuilder().reconnectDelay(3000).comment("interlock").build());
    readers.execute(() -> sendState(interruptId, Set.of(stream)));
  }

  /** Streams changes to an owner's interrupts to one dashboard. */
  public void watchOwner(SseEventSink sink, Sse sse, String ownerId) {
    Stream stream = new Stream(sink, sse, ownerId, () -> { });
    if (closed) {
      stream.close();
      return;
    }
    byOwner.computeIfAbsent(ownerId, k -> ConcurrentHashMap.newKeySet()).add(stream);
    stream.send(sse.newEventBuilder().reconnectDelay(3000).comment("interlock").build());
  }

  @Override
  public void created(String interruptId) {
    if (!byOwner.isEmpty()) {
      readers.execute(() -> ownerChange(interruptId, "created"));
    }
  }

  @Override
  public void transitioned(String interruptId) {
    if (byInterrupt.containsKey(interruptId)) {
      readers.execute(() -> sendState(interruptId, null));
    }
    if (!byOwner.isEmpty()) {
      readers.execute(() -> ownerChange(interruptId, "transitioned"));
    }
  }

  @Override
  public void resync() {
    if (closed) {
      return;
    }
    for (String id : byInterrupt.keySet()) {
      readers.execute(() -> sendState(id, null));
    }
    byOwner.values().forEach(set -> set.forEach(s -> send(s, "resync",
        json.createObjectNode().put("kind", "resync"), byOwner)));
  }

  /** Number of open streams, for tests and health. */
  public int open() {
    return byInterrupt.values().stream().mapToInt(Set::size).sum()
        + byOwner.values().stream().mapToInt(Set::size).sum();
  }

  private void sendState(String interruptId, Set<Stream> only) {
    Set<Stream> streams = only != null ? only : byInterrupt.get(interruptId);
    if (streams == null || streams.isEmpty()) {
      return;
    }
    InterruptRow row;
    try {
      row = reviews.find(interruptId).orElse(null);
    } catch (RuntimeException e) {
      log.warn("could not read interrupt {} for its live page: {}", interruptId, e.getMessage());
      return;
    }
    if (row == null) {
      return;
    }
    ObjectNode state = stateView.apply(row);
    for (Stream s : Set.copyOf(streams)) {
      boolean sent = send(s, "state", state, byInterrupt);
      if (!row.isPending()) {
        if (sent && only == null) {
          // Pushed by the transition (not the first read of a new stream): a wake.
          metrics.woke(InterlockMetrics.Waiter.SSE, s.openedAt, row.decidedAt());
        }
        // The outcome is final: the page closes its EventSource on it; so do we.
        remove(byInterrupt, s);
        s.close();
      }
    }
  }

  private void ownerChange(String interruptId, String kind) {
    InterruptRow row;
    try {
      row = reviews.find(interruptId).orElse(null);
    } catch (RuntimeException e) {
      log.warn("could not read interrupt {} for live dashboards: {}", interruptId, e.getMessage());
      return;
    }
    if (row == null) {
      return;
    }
    Set<Stream> streams = byOwner.get(row.ownerId());
    if (streams == null) {
      return;
    }
    ObjectNode data = json.createObjectNode()
        .put("kind", kind)
        .put("id", row.id())
        .put("status", row.status())
        .put("action", row.action())
        .put("agentId", row.agentId());
    for (Stream s : Set.copyOf(streams)) {
      send(s, "change", data, byOwner);
    }
  }

  private boolean send(Stream s, String name, ObjectNode data, Map<String, Set<Stream>> registry) {
    OutboundSseEvent event = s.sse().newEventBuilder()
        .name(name)
        .data(String.class, data.toString())
        .build();
    if (!s.send(event)) {
      remove(registry, s);
      return false;
    }
    return true;
  }

  private void ping() {
    try {
      for (Map<String, Set<Stream>> registry : java.util.List.of(byInterrupt, byOwner)) {
        for (Set<Stream> set : registry.values()) {
          for (Stream s : Set.copyOf(set)) {
            if (!s.send(s.sse().newEventBuilder().comment("ping").build())) {
              remove(registry, s);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("SSE keep-alive failed", e);
    }
  }

  private static void remove(Map<String, Set<Stream>> registry, Stream s) {
    registry.computeIfPresent(s.key, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  /** Closes every stream; called when the server starts stopping. */
  public void close() {
    closed = true;
    pinger.shutdownNow();
    for (Map<String, Set<Stream>> registry : java.util.List.of(byInterrupt, byOwner)) {
      registry.values().forEach(set -> set.forEach(Stream::close));
      registry.clear();
    }
  }
}
