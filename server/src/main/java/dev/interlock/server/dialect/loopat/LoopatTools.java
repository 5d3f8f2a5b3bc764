package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolCall;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.LoopEventListener;
import dev.interlock.server.service.LoopService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * loopat's loops as MCP tools, so that one agent can drive another: create a loop, send it a
 * message and wait for the turn to end (the transcript is the result), read it, answer its
 * choices, interrupt it. Arguments are checked as {@code /api/v1/loops} checks its bodies and
 * refused with loopat's codes at the start of the message ({@code "loop_not_found: ..."}).
 *
 * <p>{@code loop_send} waits the way the loop's streams do: it registers for its loop's
 * NOTIFYs before it reads, then reads on from the last event it saw whenever the loop has
 * new ones, so nothing is missed or read twice. Waiting never touches the turn: a wait that
 * runs out, a client that hangs up and a server that stops all leave it running.
 */
final class LoopatTools implements LoopEventListener.Subscriber {

  private static final Logger log = LoggerFactory.getLogger(LoopatTools.class);

  /** Most events one result carries; the rest are read with loop_get after the last one. */
  static final int MAX_EVENTS = 500;
  /** Most characters of assistant text one loop_send result carries (the end is kept). */
  static final int MAX_TEXT = 100_000;
  private static final int BATCH = 500;

  private final LoopService loops;
  private final LoopViews views;
  private final ObjectMapper json;
  private final Duration maxWait;
  private final Duration progressInterval;
  private final Map<String, Set<Wake>> waiting = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  LoopatTools(LoopService loops, LoopViews views, ObjectMapper json, Duration maxWait,
      Duration progressInterval) {
    this.loops = loops;
    this.views = views;
    this.json = json;
    this.maxWait = maxWait;
    this.progressInterval = progressInterval;
  }

  /**
   * The tools, listening for the loops' events; their waits end when the server starts
   * stopping, so they do not hold Jetty's graceful stop (the turns go on).
   */
  static List<McpTool> install(DialectContext c, LoopViews views) {
    LoopatTools tools = new LoopatTools(c.loops(), views, c.json(),
        c.mcp().maxBlockingWait.toJavaDuration(), c.mcp().progressInterval.toJavaDuration());
    c.loops().subscribe(tools);
    c.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(LifeCycle event) {
        tools.stop();
      }
    });
    return tools.tools();
  }

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("loop_create",
            "Create a loop (loopat): a conversation with a coding agent that runs in its own"
                + " folder (or a configured repo). Returns the loop object, as"
                + " GET /api/v1/loops/{id} does.",
            ToolSchema.object()
                .string("title", false, "At most 200 characters (default \"untitled\")")
                .json("metadata", false, "Your own strings (object of string values, at most"
                    + " 16 KB)")
                .string("repo", false, "A repo configured on the server (loops.repos) to work"
                    + " in")
                .build(),
            Scopes.REQUEST_CREATE, this::create),
        McpTool.writing("loop_send",
            "Send a message to a loop and wait until the agent's turn ends (up to "
                + human(maxWait) + "; progress is reported meanwhile, choices included)."
                + " Returns {turn_id, status, text, events, ...}: status done, interrupted or"
                + " error (with error {code, message}); text is the agent's answer. If the"
                + " turn is still running when the wait ends, status is running: read on with"
                + " loop_get after last_event_id, or send the same content with the same"
                + " idempotency_key to wait again. A choice the agent waits on is"
                + " pending_choice; answer it with loop_answer_choice.",
            ToolSchema.object()
                .string("loop_id", true, "The loop's id")
                .string("content", true, "The message (at most 1 MB)")
                .oneOf("permission_mode", false, List.copyOf(new TreeSet<>(
                    LoopService.PERMISSION_MODES)), "This turn's permission mode")
                .string("idempotency_key", false, "Sending the same content with the same"
                    + " key again (within 24 h) does not start another turn: it waits on the"
                    + " first one again")
                .bool("return_on_choice", "Return as soon as the agent waits on a choice"
                    + " (status running, pending_choice), so you can answer it yourself"
                    + " (default false: wait for the turn to end)")
                .build(),
            Scopes.REQUEST_CREATE, this::send),
        McpTool.reading("loop_get",
            "A loop with its runtime state (busy, queue_depth, current_turn) and, with"
                + " after_event_id, its events after that id (at most " + MAX_EVENTS
                + ", oldest first; has_more says whether more follow). Without"
                + " after_event_id: the running turn's snapshot (text so far, pending choice)"
                + " instead. last_event_id is where to read on from.",
            ToolSchema.object()
                .string("loop_id", true, "The loop's id")
                .integer("after_event_id", "Return the events after this one (0: from the"
                    + " first)")
                .build(),
            Scopes.REQUEST_READ, this::get),
        McpTool.writing("loop_answer_choice",
            "Answer the choice a loop's agent waits on: {allow: true|false} for a permission,"
                + " {answers: {<question_id>: <value>}} for questions. Returns"
                + " {accepted: true}; a choice no longer waiting is choice_not_found.",
            ToolSchema.object()
                .string("loop_id", true, "The loop's id")
                .string("choice_id", true, "The choice's id (choice_...)")
                .bool("allow", "For a permission: allow or deny the tool use")
                .json("answers", false, "For questions: question id (q1, ...) to the answer")
                .build(),
            Scopes.REQUEST_DECIDE, this::answer),
        McpTool.writing("loop_interrupt",
            "Stop the loop's running turn (it ends as interrupted) and its queued ones."
                + " Returns {accepted: true}.",
            ToolSchema.object().string("loop_id", true, "The loop's id").build(),
            Scopes.REQUEST_CREATE, this::interrupt));
  }

  // ---- the tools -----------------------------------------------------------------------

  private JsonNode create(Caller caller, ObjectNode args, ToolCall call) {
    return coded(() -> {
      String title = text(args, "title", "invalid_title");
      if (title == null || title.isBlank()) {
        title = "untitled";
      }
      if (title.length() > LoopService.MAX_TITLE) {
        throw LoopResource.invalid("title_too_long", "title must be at most "
            + LoopService.MAX_TITLE + " characters");
      }
      ObjectNode metadata = metadata(args.get("metadata"));
      String repo = text(args, "repo", "invalid_repo");
      if (repo != null && (repo.isBlank() || repo.length() > 200)) {
        throw LoopResource.invalid("invalid_repo",
            "repo must be a name of 1 to 200 characters, or null");
      }
      LoopRow loop = loops.create(caller, new LoopService.NewLoop(title, metadata,
          List.of("default"), "default", repo));
      return views.loop(loop, loops.runtime(loop));
    });
  }

  private JsonNode send(Caller caller, ObjectNode args, ToolCall call) {
    return coded(() -> {
      String loopId = loopId(args);
      loops.owned(caller, loopId); // 404/403 before the arguments' 400s, as over REST
      JsonNode content = args.get("content");
      if (content == null || content.isNull()
          || (content.isTextual() && content.asText().isEmpty())) {
        throw LoopResource.invalid("missing_content", "content is required");
      }
      if (!content.isTextual()) {
        throw LoopResource.invalid("invalid_content", "content must be a string");
      }
      if (content.asText().getBytes(StandardCharsets.UTF_8).length
          > LoopService.MAX_CONTENT_BYTES) {
        throw LoopResource.invalid("content_too_large", "content must be at most 1 MB");
      }
      String mode = text(args, "permission_mode", "invalid_permission_mode");
      if (mode != null && !LoopService.PERMISSION_MODES.contains(mode)) {
        throw LoopResource.invalid("invalid_permission_mode", "permission_mode must be one of"
            + " default, acceptEdits, bypassPermissions, plan, dontAsk, auto");
      }
      String key = text(args, "idempotency_key", "invalid_idempotency_key");
      if (key != null && (key.isEmpty() || key.length() > LoopService.MAX_IDEMPOTENCY_KEY)) {
        throw LoopResource.invalid("invalid_idempotency_key",
            "idempotency_key must be 1 to 256 characters");
      }
      boolean returnOnChoice = bool(args, "return_on_choice", "invalid_return_on_choice")
          .orElse(false);
      LoopService.Sent sent = loops.send(caller, loopId, content.asText(), mode, key);
      return await(sent, call, returnOnChoice);
    });
  }

  private JsonNode get(Caller caller, ObjectNode args, ToolCall call) {
    return coded(() -> {
      LoopRow loop = loops.owned(caller, loopId(args));
      Long after = afterEventId(args.get("after_event_id"));
      ObjectNode out = json.createObjectNode();
      out.set("loop", views.loop(loop, loops.runtime(loop)));
      ArrayNode events = out.putArray("events");
      if (after == null) {
        long head = loops.head(loop.id());
        Optional<LoopService.Snapshot> snapshot = loops.snapshot(loop);
        out.set("snapshot", snapshot.<JsonNode>map(views::snapshot)
            .orElse(json.nullNode()));
        out.put("has_more", false);
        out.put("last_event_id", snapshot.map(LoopService.Snapshot::seq).orElse(head));
        return out;
      }
      List<LoopEventRow> rows = loops.eventsAfter(loop.id(), after, MAX_EVENTS + 1);
      boolean more = rows.size() > MAX_EVENTS;
      long last = after;
      for (LoopEventRow row : more ? rows.subList(0, MAX_EVENTS) : rows) {
        events.add(event(row));
        last = row.seq();
      }
      out.put("has_more", more);
      out.put("last_event_id", last);
      return out;
    });
  }

  private JsonNode answer(Caller caller, ObjectNode args, ToolCall call) {
    return coded(() -> {
      String loopId = loopId(args);
      loops.owned(caller, loopId);
      String choiceId = text(args, "choice_id", "invalid_choice_id");
      if (choiceId == null || choiceId.isBlank()) {
        throw LoopResource.invalid("missing_choice_id", "choice_id is required");
      }
      Boolean allow = bool(args, "allow", "invalid_allow").orElse(null);
      Map<String, String> answers = answers(args.get("answers"));
      if (allow == null && answers == null) {
        throw LoopResource.invalid("missing_answer", "Send allow (true or false) for a"
            + " permission or answers ({question_id: value}) for questions");
      }
      loops.answer(caller, loopId, choiceId, new LoopService.Answer(allow, answers));
      return json.createObjectNode().put("accepted", true);
    });
  }

  private JsonNode interrupt(Caller caller, ObjectNode args, ToolCall call) {
    return coded(() -> {
      loops.interrupt(caller, loopId(args));
      return json.createObjectNode().put("accepted", true);
    });
  }

  // ---- waiting for a turn ------------------------------------------------------------

  /**
   * Follows the sent turn's events until its terminal one, the wait's end, a choice (when
   * {@code returnOnChoice}), the client's departure or the server's stop, telling the client
   * what happens as progress: notable events at once, and a line at least every progress
   * interval so that it does not time the call out.
   */
  private JsonNode await(LoopService.Sent sent, ToolCall call, boolean returnOnChoice) {
    Transcript turn = new Transcript(sent.loop().id(), sent.turn().id(), sent.afterSeq());
    Wake wake = new Wake();
    // Register before reading, so an event appended in between is not missed. Adding and
    // removing happen inside the map's per-key lock, so a set is never dropped under a
    // wait that was just added to it.
    waiting.compute(turn.loopId, (k, set) -> {
      Set<Wake> out = set == null ? ConcurrentHashMap.newKeySet() : set;
      out.add(wake);
      return out;
    });
    call.whenGone(wake::signal);
    long deadline = System.nanoTime() + maxWait.toNanos();
    long interval = progressInterval.toNanos();
    try {
      call.progress((sent.replay() ? "waiting again on turn " : "sent: turn ") + turn.turnId);
      long lastProgress = System.nanoTime();
      while (true) {
        for (String note : read(turn)) {
          call.progress(note);
          lastProgress = System.nanoTime();
        }
        if (turn.end != null) {
          return turn.result(turn.end.event(), null);
        }
        if (returnOnChoice && turn.pendingChoice != null) {
          return turn.result("running", "The agent waits on choice "
              + turn.pendingChoice.path("choice_id").asText() + ": answer it with"
              + " loop_answer_choice, then follow the turn with loop_get after last_event_id"
              + " (or send the same content with the same idempotency_key to wait again).");
        }
        if (stopping || call.clientGone() || Thread.currentThread().isInterrupted()) {
          log.info("loop {}: stopped waiting for turn {} ({}); the turn goes on", turn.loopId,
              turn.turnId, stopping ? "the server is stopping" : "the client went away");
          return turn.result("running", "Stopped waiting (" + (stopping
              ? "the server is stopping" : "the call ended") + "); the turn goes on.");
        }
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          return turn.result("running", "The turn is still " + (turn.started ? "running"
              : "queued") + " after " + human(maxWait) + " of waiting. Read on with loop_get"
              + " {loop_id, after_event_id: last_event_id}, or send the same content with the"
              + " same idempotency_key to wait again.");
        }
        if (now - lastProgress >= interval) {
          call.progress(turn.heartbeat());
          lastProgress = now;
        }
        long slice = Math.min(deadline - now, interval - (now - lastProgress));
        try {
          wake.await(Math.max(slice, 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // ends this wait (see above)
        }
      }
    } finally {
      waiting.computeIfPresent(turn.loopId, (k, set) -> {
        set.remove(wake);
        return set.isEmpty() ? null : set;
      });
    }
  }

  /** Reads the loop's new events into the transcript; returns what is worth telling. */
  private List<String> read(Transcript turn) {
    List<String> notes = new ArrayList<>();
    while (turn.end == null) {
      List<LoopEventRow> rows = loops.eventsAfter(turn.loopId, turn.lastSeq, BATCH);
      for (LoopEventRow row : rows) {
        turn.lastSeq = row.seq();
        if (!turn.turnId.equals(row.turnId())) {
          continue;
        }
        String note = turn.add(row);
        if (note != null) {
          notes.add(note);
        }
        if (row.isTerminal()) {
          turn.end = row;
          break;
        }
      }
      if (rows.size() < BATCH) {
        break;
      }
    }
    return notes;
  }

  /** What a loop_send has seen of its turn so far. */
  private final class Transcript {
    final String loopId;
    final String turnId;
    long lastSeq;
    long lastTurnSeq;
    int total;
    final ArrayNode events = json.createArrayNode();
    final StringBuilder text = new StringBuilder();
    boolean textTruncated;
    boolean started;
    ObjectNode pendingChoice;
    LoopEventRow end;

    Transcript(String loopId, String turnId, long afterSeq) {
      this.loopId = loopId;
      this.turnId = turnId;
      this.lastSeq = afterSeq;
      this.lastTurnSeq = afterSeq;
    }

    /** Takes one event of the turn; returns the progress line it deserves, if any. */
    String add(LoopEventRow row) {
      total++;
      if (events.size() < MAX_EVENTS) {
        events.add(event(row));
        lastTurnSeq = row.seq();
      }
      JsonNode data = row.data();
      switch (row.event()) {
        case "assistant_delta" -> {
          text.append(data.path("text").asText(""));
          if (text.length() > MAX_TEXT) {
            text.delete(0, text.length() - MAX_TEXT);
            textTruncated = true;
          }
          return null;
        }
        case "queued" -> {
          return "queued behind " + data.path("position").asInt(1) + " turn(s)";
        }
        case "started" -> {
          started = true;
          return "started";
        }
        case "tool_call" -> {
          return "tool_call: " + data.path("tool").asText("?")
              + (data.hasNonNull("input_summary") ? " " + clip(data.path("input_summary")
                  .asText(), 200) : "");
        }
        case "requires_choice" -> {
          pendingChoice = (ObjectNode) data.deepCopy();
          return choiceLine(pendingChoice);
        }
        case "choice_resolved" -> {
          if (pendingChoice != null && pendingChoice.path("choice_id").asText()
              .equals(data.path("choice_id").asText())) {
            pendingChoice = null;
          }
          return "choice " + data.path("choice_id").asText() + " answered ("
              + data.path("source").asText("api") + ")";
        }
        case "done", "interrupted" -> {
          pendingChoice = null;
          return row.event();
        }
        case "error" -> {
          pendingChoice = null;
          return "error: " + data.path("code").asText("error");
        }
        default -> {
          return null;
        }
      }
    }

    String heartbeat() {
      if (pendingChoice != null) {
        return choiceLine(pendingChoice);
      }
      return (started ? "running: " : "queued: ") + total + " events so far";
    }

    /**
     * {@code {turn_id, status, text, events, ...}}; {@code last_event_id} is the last event
     * of the turn the result carries, where loop_get reads on from.
     */
    ObjectNode result(String status, String message) {
      ObjectNode out = json.createObjectNode();
      out.put("loop_id", loopId);
      out.put("turn_id", turnId);
      out.put("status", status);
      out.put("text", text.toString());
      if (textTruncated) {
        out.put("text_truncated", true);
      }
      out.set("events", events);
      out.put("events_total", total);
      out.put("events_truncated", total > events.size());
      out.put("last_event_id", lastTurnSeq);
      if (end != null && "error".equals(end.event())) {
        out.putObject("error").put("code", end.data().path("code").asText("error"))
            .put("message", end.data().path("message").asText(""));
      }
      if (pendingChoice != null) {
        out.set("pending_choice", pendingChoice);
      }
      if (message != null) {
        out.put("message", message);
      }
      return out;
    }
  }

  private static String choiceLine(ObjectNode choice) {
    JsonNode payload = choice.path("payload");
    String what;
    if ("question".equals(choice.path("kind").asText())) {
      JsonNode questions = payload.path("questions");
      what = questions.size() == 1 ? "question: " + questions.get(0).path("question").asText()
          : questions.size() + " questions";
    } else {
      what = payload.path("tool").asText("?") + (payload.hasNonNull("command")
          ? " " + payload.path("command").asText() : "");
    }
    return "waiting for a choice: " + choice.path("choice_id").asText() + " ("
        + clip(what, 200) + ")";
  }

  private ObjectNode event(LoopEventRow row) {
    ObjectNode out = json.createObjectNode().put("id", row.seq()).put("event", row.event());
    out.set("data", row.data());
    return out;
  }

  // ---- the loops' events -------------------------------------------------------------

  @Override
  public void appended(String loopId) {
    Set<Wake> set = waiting.get(loopId);
    if (set != null) {
      set.forEach(Wake::signal);
    }
  }

  @Override
  public void resync() {
    waiting.values().forEach(set -> set.forEach(Wake::signal));
  }

  /** Ends every wait at once (the server is stopping); the turns go on. */
  void stop() {
    stopping = true;
    resync();
  }

  /** A waiting call's doorbell: rung when its loop has new events (or it should look again). */
  private static final class Wake {
    private boolean rung;

    synchronized void signal() {
      rung = true;
      notifyAll();
    }

    /** Until rung or {@code nanos} pass; clears the bell. */
    synchronized void await(long nanos) throws InterruptedException {
      long end = System.nanoTime() + nanos;
      while (!rung) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      rung = false;
    }
  }

  // ---- arguments -----------------------------------------------------------------------

  /** Runs a tool, putting the loopat code of a refusal at the start of its message. */
  private static JsonNode coded(Supplier<JsonNode> tool) {
    try {
      return tool.get();
    } catch (InterlockException e) {
      if (e.code() == null || e.getMessage() == null
          || e.getMessage().startsWith(e.code() + ": ")) {
        throw e;
      }
      throw new Refusal(e.status(), e.code(), e.code() + ": " + e.getMessage());
    }
  }

  private static String loopId(ObjectNode args) {
    String id = text(args, "loop_id", "invalid_loop_id");
    if (id == null || id.isBlank()) {
      throw LoopResource.invalid("missing_loop_id", "loop_id is required");
    }
    return id;
  }

  private static String text(ObjectNode args, String field, String code) {
    JsonNode v = args.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw LoopResource.invalid(code, field + " must be a string");
    }
    return v.asText();
  }

  private static Optional<Boolean> bool(ObjectNode args, String field, String code) {
    JsonNode v = args.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw LoopResource.invalid(code, field + " must be true or false");
    }
    return Optional.of(v.asBoolean());
  }

  private static Long afterEventId(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw LoopResource.invalid("invalid_after_event_id",
          "after_event_id must be an event id (a whole number, 0 or more)");
    }
    return v.asLong();
  }

  /** As {@code POST /loops} reads it: an object of strings, at most 16 KB as JSON. */
  private static ObjectNode metadata(JsonNode m) {
    if (m == null || m.isNull()) {
      return null;
    }
    if (!m.isObject()) {
      throw LoopResource.invalid("invalid_metadata", "metadata must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      if (!it.next().getValue().isTextual()) {
        throw LoopResource.invalid("invalid_metadata", "metadata must be an object of strings");
      }
    }
    if (m.toString().getBytes(StandardCharsets.UTF_8).length > LoopService.MAX_METADATA_BYTES) {
      throw LoopResource.invalid("metadata_too_large", "metadata must be at most 16 KB as JSON");
    }
    return (ObjectNode) m;
  }

  /** As {@code POST /choices/{id}} reads them: question id to a value (a list is joined). */
  private static Map<String, String> answers(JsonNode q) {
    if (q == null || q.isNull()) {
      return null;
    }
    if (!q.isObject()) {
      throw LoopResource.invalid("invalid_answers",
          "answers must be an object of question id to value");
    }
    Map<String, String> answers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = q.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String value;
      if (v.isArray()) {
        List<String> many = new ArrayList<>();
        for (JsonNode x : v) {
          if (!x.isValueNode() || x.isNull()) {
            throw LoopResource.invalid("invalid_answers", "each answer must be a string");
          }
          many.add(x.asText());
        }
        value = String.join(", ", many);
      } else if (v.isValueNode() && !v.isNull()) {
        value = v.asText();
      } else {
        throw LoopResource.invalid("invalid_answers", "each answer must be a string");
      }
      if (value.length() > 10_000) {
        throw LoopResource.invalid("invalid_answers",
            "each answer must be at most 10000 characters");
      }
      answers.put(e.getKey(), value);
    }
    return answers;
  }

  private static String clip(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
  }
}
