package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.LoopEventRow;
import dev.interlock.server.http.SseConnection;
import dev.interlock.server.service.LoopEventListener;
import dev.interlock.server.service.LoopService;
import io.dropwizard.lifecycle.Managed;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * loopat's event streams. Each open stream remembers the sequence number of the last event
 * it sent; when its loop has new events (a NOTIFY from whichever instance or worker
 * appended them) it reads on from there, so nothing is sent twice or missed, and a client
 * that reconnects with {@code Last-Event-ID} resumes exactly after it. Every frame carries
 * {@code id: <seq>} (pings carry none: they are not events of the loop). A stream ends on
 * its terminal event ({@code done}, {@code interrupted}, {@code error}); closing a stream
 * never touches the turn.
 */
final class LoopStreams implements LoopEventListener.Subscriber, Managed {

  private static final Logger log = LoggerFactory.getLogger(LoopStreams.class);
  private static final int BATCH = 500;

  /** One open stream; {@code turnId} null: every event of the loop (GET /events). */
  final class Stream extends SseConnection {
    final String loopId;
    final String turnId;
    long lastSeq;

    Stream(String loopId, String turnId, long lastSeq, SseEventSink sink, Sse sse) {
      super(sink, sse);
      this.loopId = loopId;
      this.turnId = turnId;
      this.lastSeq = lastSeq;
    }

    synchronized void pump() {
      if (!isOpen()) {
        close();
        return;
      }
      try {
        while (true) {
          List<LoopEventRow> rows = loops.eventsAfter(loopId, lastSeq, BATCH);
          for (LoopEventRow row : rows) {
            lastSeq = row.seq();
            if (turnId != null && !turnId.equals(row.turnId())) {
              continue;
            }
            if (!send(sse.newEventBuilder().id(Long.toString(row.seq())).name(row.event())
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class,
                    row.data().toString()).build())) {
              return;
            }
            if (row.isTerminal()) {
              close();
              return;
            }
          }
          if (rows.size() < BATCH) {
            return;
          }
        }
      } catch (RuntimeException e) {
        log.warn("loop {}: stream failed: {}", loopId, e.getMessage());
        ObjectNode error = json.createObjectNode().put("code", "internal_error")
            .put("message", "The event stream failed; reconnect with Last-Event-ID " + lastSeq);
        send(sse.newEventBuilder().name("error").data(String.class, error.toString()).build());
        close();
      }
    }

    @Override
    protected void closed() {
      open.decrementAndGet();
      Set<Stream> set = byLoop.get(loopId);
      if (set != null) {
        set.remove(this);
      }
    }
  }

  private final LoopService loops;
  private final ObjectMapper json;
  private final Duration pingInterval;
  private final Map<String, Set<Stream>> byLoop = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final ExecutorService pumps = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "interlock-loop-stream");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "interlock-loop-ping");
        t.setDaemon(true);
        return t;
      });
  private volatile boolean stopped;

  LoopStreams(LoopService loops, ObjectMapper json, Duration pingInterval) {
    this.loops = loops;
    this.json = json;
    this.pingInterval = pingInterval;
    loops.subscribe(this);
  }

  @Override
  public void start() {
    pinger.scheduleAtFixedRate(this::ping, pingInterval.toMillis(), pingInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    stopped = true;
    pinger.shutdownNow();
    byLoop.values().forEach(set -> List.copyOf(set).forEach(Stream::close));
    pumps.shutdownNow();
  }

  /** Streams currently open on this instance. */
  int open() {
    return open.get();
  }

  /**
   * Opens a stream of the loop's events after {@code afterSeq} ({@code turnId}: only that
   * turn's), sending {@code first} before them (a snapshot), then live until a terminal
   * event.
   */
  void open(String loopId, String turnId, long afterSeq, OutboundSseEvent first,
      SseEventSink sink, Sse sse) {
    Stream stream = new Stream(loopId, turnId, afterSeq, sink, sse);
    open.incrementAndGet();
    if (stopped) {
      stream.close();
      return;
    }
    // Register before reading, so an event appended in between is not missed.
    byLoop.computeIfAbsent(loopId, k -> ConcurrentHashMap.newKeySet()).add(stream);
    stream.send(sse.newEventBuilder().reconnectDelay(3000).comment("loopat").build());
    if (first != null) {
      stream.send(first);
    }
    pumps.execute(stream::pump);
  }

  @Override
  public void appended(String loopId) {
    Set<Stream> set = byLoop.get(loopId);
    if (set != null && !stopped) {
      for (Stream s : set) {
        pumps.execute(s::pump);
      }
    }
  }

  @Override
  public void resync() {
    if (stopped) {
      return;
    }
    byLoop.values().forEach(set -> set.forEach(s -> pumps.execute(s::pump)));
  }

  private void ping() {
    byLoop.values().forEach(set -> set.forEach(s -> s.send(s.sse().newEventBuilder().name("ping")
        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, "{}").build())));
  }

  String text(ObjectNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
