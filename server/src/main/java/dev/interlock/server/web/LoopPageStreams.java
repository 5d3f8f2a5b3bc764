package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.http.SseConnection;
import dev.interlock.model.LoopChoiceRow;
import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopRow;
import dev.interlock.server.service.LoopEventListener;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.service.ReviewService;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of a loop's page ({@code GET /ui/loops/{id}/events}): the loop's events as
 * they are appended, read from the event log the way loopat's own streams read it. Each open
 * stream remembers the sequence number of the last event it sent; when its loop has new
 * events (a NOTIFY from whichever instance or worker appended them) it reads on from there,
 * so nothing is sent twice or missed, and an EventSource that reconnects with
 * {@code Last-Event-ID} resumes exactly after it.
 *
 * <p>Every frame is the loop event's name with {@code id: <seq>} and data
 * {@code {"turn_id", "data": <the event's data>}}; a choice asked or resolved also carries
 * {@code html}, the choice rendered for the person watching (with its answer form if they may
 * answer it). Before the first event of a turn it has not sent, a stream sends {@code turn}
 * (no id) with the turn rendered in {@code html}; the page ignores a turn it already shows.
 * Unlike loopat's streams this one does not end with a turn: the page follows the loop
 * across turns. A comment every 15 s keeps it open; streams close when the server stops.
 */
final class LoopPageStreams implements LoopEventListener.Subscriber {

  private static final Logger log = LoggerFactory.getLogger(LoopPageStreams.class);
  private static final int BATCH = 500;

  /** One open page. */
  final class Stream extends SseConnection {
    final LoopRow loop;
    final String loopId;
    final LoopPages.Viewer viewer;
    final Set<String> announced = new HashSet<>();
    long lastSeq;

    Stream(LoopRow loop, LoopPages.Viewer viewer, long lastSeq, SseEventSink sink, Sse sse) {
      super(sink, sse);
      this.loop = loop;
      this.loopId = loop.id();
      this.viewer = viewer;
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
            if (!sendEvent(row)) {
              return;
            }
            lastSeq = row.seq();
          }
          if (rows.size() < BATCH) {
            return;
          }
        }
      } catch (RuntimeException e) {
        // The page's EventSource reconnects with the last id it got, and resumes there.
        log.warn("loop {}: page stream failed: {}", loopId, e.getMessage());
        close();
      }
    }

    private boolean sendEvent(LoopEventRow row) {
      if (row.turnId() != null && announced.add(row.turnId())) {
        var turn = loops.turnMessage(loopId, row.turnId(), LoopPages.MAX_MESSAGE_CHARS);
        if (turn.isPresent()) {
          ObjectNode data = json.createObjectNode().put("turn_id", row.turnId())
              .put("html", render(pages.turn(turn.get())));
          if (!send(sse.newEventBuilder().name("turn").mediaType(MediaType.APPLICATION_JSON_TYPE)
              .data(String.class, data.toString()).build())) {
            return false;
          }
        }
      }
      ObjectNode data = json.createObjectNode().put("turn_id", row.turnId());
      data.set("data", row.data());
      if (row.event().equals("requires_choice") || row.event().equals("choice_resolved")) {
        String choiceId = row.data().path("choice_id").asText("");
        data.put("choice_id", choiceId);
        data.put("html", choiceHtml(row, choiceId));
      }
      return send(sse.newEventBuilder().id(Long.toString(row.seq())).name(row.event())
          .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, data.toString())
          .build());
    }

    /**
     * The choice as it stands now (an answer form while it waits, else its outcome): a
     * stream that replays an old {@code requires_choice} shows what became of it.
     */
    private String choiceHtml(LoopEventRow row, String choiceId) {
      InterruptRow interrupt = reviews.find(LoopPages.interruptId(choiceId))
          .filter(i -> i.ownerId().equals(viewer.caller().ownerId())).orElse(null);
      String source = row.event().equals("choice_resolved")
          ? row.data().path("source").asText(null) : null;
      JsonNode asked = row.event().equals("requires_choice") ? row.data()
          : loops.choice(loop, choiceId).map(this::asked).orElse(null);
      if (asked == null) {
        return "";
      }
      boolean waiting = interrupt != null && interrupt.isPending()
          && loops.turn(row.turnId()).map(t -> choiceId.equals(t.pendingChoice())).orElse(false);
      return render(pages.choice(loop.id(), asked, source, waiting, interrupt, viewer));
    }

    /** A choice as its {@code requires_choice} event showed it. */
    private JsonNode asked(LoopChoiceRow choice) {
      ObjectNode asked = json.createObjectNode().put("choice_id", choice.id())
          .put("kind", choice.kind());
      asked.set("payload", choice.payload());
      return asked;
    }

    @Override
    protected void closed() {
      byLoop.computeIfPresent(loopId, (k, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }
  }

  private final LoopService loops;
  private final ReviewService reviews;
  private final LoopPages pages;
  private final ObjectMapper json;
  private final PageRenderer renderer = new PageRenderer();
  private final Map<String, Set<Stream>> byLoop = new ConcurrentHashMap<>();
  private final ExecutorService pumps = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "interlock-loop-page-stream");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "interlock-loop-page-ping");
        t.setDaemon(true);
        return t;
      });
  private volatile boolean stopped;

  LoopPageStreams(LoopService loops, ReviewService reviews, LoopPages pages, ObjectMapper json) {
    this.loops = loops;
    this.reviews = reviews;
    this.pages = pages;
    this.json = json;
    loops.subscribe(this);
    pinger.scheduleAtFixedRate(this::ping, LiveUpdates.PING_SECONDS, LiveUpdates.PING_SECONDS,
        TimeUnit.SECONDS);
  }

  /** Follows the loop for one page, from the event after {@code afterSeq}. */
  void open(LoopRow loop, LoopPages.Viewer viewer, long afterSeq, SseEventSink sink, Sse sse) {
    Stream stream = new Stream(loop, viewer, afterSeq, sink, sse);
    if (stopped) {
      stream.close();
      return;
    }
    // Register before reading, so an event appended in between is not missed.
    byLoop.computeIfAbsent(loop.id(), k -> ConcurrentHashMap.newKeySet()).add(stream);
    stream.send(sse.newEventBuilder().reconnectDelay(3000).comment("interlock").build());
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
    if (!stopped) {
      byLoop.values().forEach(set -> set.forEach(s -> pumps.execute(s::pump)));
    }
  }

  /** Streams open on this instance, for tests. */
  int open() {
    return byLoop.values().stream().mapToInt(Set::size).sum();
  }

  private void ping() {
    try {
      byLoop.values().forEach(set -> List.copyOf(set).forEach(
          s -> s.send(s.sse().newEventBuilder().comment("ping").build())));
    } catch (RuntimeException e) {
      log.warn("loop page keep-alive failed", e);
    }
  }

  /** Closes every stream; called when the server starts stopping. */
  void close() {
    stopped = true;
    pinger.shutdownNow();
    byLoop.values().forEach(set -> List.copyOf(set).forEach(Stream::close));
    pumps.shutdownNow();
  }

  private String render(Page fragment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      renderer.render(fragment, Locale.ROOT, out);
    } catch (IOException e) {
      throw new IllegalStateException("could not render " + fragment.getTemplateName(), e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
