package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.web.Page.Badge;
import dev.interlock.server.web.Page.Moment;
import dev.interlock.server.web.Page.Nav;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The loops' pages: the workspace's loops ({@code loops.mustache}) and one loop's transcript
 * ({@code loop.mustache}). A transcript is folded from the loop's event log: each turn is the
 * person's message, then what the agent did in order (its text, its thinking, its tool calls
 * with their outcome, the choices it asked, an error), with the turn's status. A turn
 * ({@code loop-turn.mustache}) and a choice ({@code loop-choice.mustache}) are also rendered
 * alone, for the page's live stream ({@link LoopPageStreams}) to insert.
 */
final class LoopPages {

  /** How many of a loop's latest turns its page shows. */
  static final int MAX_TURNS = 50;
  /** How much of a message a turn shows (a message may be a megabyte). */
  static final int MAX_MESSAGE_CHARS = 20_000;
  /** How many loops the list shows, most recently active first. */
  static final int LIST_LIMIT = 100;

  private final ObjectMapper json;

  LoopPages(ObjectMapper json) {
    this.json = json;
  }

  /**
   * Who looks at a loop's page: the caller and the names an interrupt may ask it by (for
   * who may answer a choice), whether it created the loop and may send to it, and the
   * CSRF token of the page's forms.
   */
  record Viewer(Caller caller, Standing.Person person, boolean owner, String csrf) {}

  /** The CSRF scope of one loop's forms. */
  static String scope(String loopId) {
    return "loop:" + loopId;
  }

  // ---- the list ------------------------------------------------------------------------

  record Listed(LoopRow loop, LoopService.Runtime runtime) {}

  /** The model of {@code loops.mustache}; {@code capped}: more loops exist than are shown. */
  record Loops(String workspace, boolean empty, List<LoopItem> loops, boolean capped,
      String limit) {}

  record LoopItem(String loopId, String title, String creator, Badge state, String queue,
      String turns, Moment active) {}

  Page list(Nav nav, List<Listed> rows) {
    boolean capped = rows.size() > LIST_LIMIT;
    List<LoopItem> items = rows.stream().limit(LIST_LIMIT).map(r -> new LoopItem(r.loop().id(),
        r.loop().title(), r.loop().creatorName(), state(r.runtime()),
        String.valueOf(r.runtime().queueDepth()), String.valueOf(r.loop().turnCount()),
        Moment.of(r.loop().lastActiveAt(), "ago"))).toList();
    return new Page("loops.mustache", "Loops", nav, new Loops(nav.workspace().name(),
        items.isEmpty(), items, capped, String.valueOf(LIST_LIMIT)));
  }

  /** Idle, busy, or waiting for someone to answer its turn's choice. */
  static Badge state(LoopService.Runtime runtime) {
    if (!runtime.busy()) {
      return new Badge("idle", "Idle");
    }
    if (runtime.currentTurn() != null && runtime.currentTurn().pendingChoice() != null) {
      return new Badge("waiting", "Waiting for a choice");
    }
    return new Badge("busy", "Busy");
  }

  // ---- one loop ------------------------------------------------------------------------

  /**
   * The model of {@code loop.mustache}. {@code events}: where the page's script follows the
   * loop, from the last event shown. {@code owner}: the message box and the Interrupt button
   * are shown; {@code key} is the Idempotency-Key of the next message (a form sent twice
   * sends once). {@code earlier}: a note on older turns not shown.
   */
  record LoopView(String loopId, String title, String creator, Badge state, Moment created,
      Moment active, String turnCount, String events, String csrf, boolean owner,
      boolean decides, String viewerNote, String key, String earlier, boolean empty,
      List<TurnView> turns, String error, String draft, boolean archived) {}

  /** A turn ({@code loop-turn.mustache}): the message, then the agent's blocks in order. */
  record TurnView(String turnId, String number, String message, boolean shortened,
      Badge status, Moment at, List<Block> blocks) {}

  /** One thing the agent did: exactly one of its parts is set. */
  record Block(String say, String thought, Tool tool, Choice choice, Notice notice) {}

  /** A tool call; {@code state} running, ok or failed. */
  record Tool(String useId, String name, String summary, String state, String stateLabel) {}

  /** A notice in a turn: an error that ended it. */
  record Notice(String kind, String text) {}

  /**
   * A choice the agent asked ({@code loop-choice.mustache}). {@code form}: it waits and this
   * person may answer it here; {@code note}: why it waits without a form; {@code outcome}:
   * how it ended, once it has.
   */
  record Choice(String loopId, String choiceId, String interruptId, String heading,
      boolean permission, String command, String reason, String input, List<Question> questions,
      boolean pending, boolean form, String note, String outcome, String outcomeKind,
      String csrf) {}

  /** A question of a choice; {@code free}: answered in words (it offers no options). */
  record Question(String fieldName, String fieldId, String header, String text,
      List<Option> options, boolean free) {}

  /** An option of a question: a radio button, or a checkbox when several may be chosen. */
  record Option(String value, String optionId, String type) {}

  Page loop(Nav nav, LoopRow loop, LoopService.Runtime runtime, LoopService.Transcript t,
      Viewer viewer, Function<String, InterruptRow> interrupts, String key, String error,
      String draft) {
    List<TurnView> turns = fold(loop.id(), t, viewer, interrupts);
    boolean decides = Roles.mayDecide(viewer.caller().role());
    String note = decides ? null : "As a viewer in this workspace you follow this loop, but"
        + " do not answer its choices.";
    String earlier = t.earlier() == 0 ? null : t.earlier() == 1
        ? "1 earlier turn is not shown." : t.earlier() + " earlier turns are not shown.";
    return new Page("loop.mustache", loop.title(), nav, new LoopView(loop.id(), loop.title(),
        loop.creatorName(), state(runtime), Moment.of(loop.createdAt(), "ago"),
        Moment.of(loop.lastActiveAt(), "ago"), String.valueOf(loop.turnCount()),
        "/ui/loops/" + loop.id() + "/events?after=" + t.seq(), viewer.csrf(), viewer.owner(),
        decides, note, key, earlier, turns.isEmpty(), turns, error, draft, loop.archived()));
  }

  /** A turn alone, as the live stream announces one the page has not seen. */
  Page turn(LoopService.TurnMessage turn) {
    return Page.fragment("loop-turn.mustache", turnView(turn, List.of()));
  }

  /** A choice alone, as the live stream shows it asked or resolved. */
  Page choice(String loopId, JsonNode asked, String source, boolean waiting, InterruptRow row,
      Viewer viewer) {
    return Page.fragment("loop-choice.mustache",
        choiceView(loopId, asked, source, waiting, row, viewer));
  }

  private TurnView turnView(LoopService.TurnMessage t, List<Block> blocks) {
    LoopTurnRow row = t.turn();
    return new TurnView(row.id(), String.valueOf(row.number()), t.message(), t.shortened(),
        turnStatus(row.status()), Moment.of(row.createdAt(), "ago"), blocks);
  }

  static Badge turnStatus(String status) {
    String label = switch (status) {
      case "queued" -> "Queued";
      case "running" -> "Running";
      case "done" -> "Done";
      case "interrupted" -> "Interrupted";
      case "error" -> "Error";
      default -> Html.capitalize(status);
    };
    return new Badge(status, label);
  }

  /** What the agent did in each turn, in order, from the events. */
  private List<TurnView> fold(String loopId, LoopService.Transcript t, Viewer viewer,
      Function<String, InterruptRow> interrupts) {
    Map<String, Folding> turns = new LinkedHashMap<>();
    t.turns().forEach(m -> turns.put(m.turn().id(), new Folding(m)));
    Map<String, String> resolvedBy = new HashMap<>();
    for (LoopEventRow e : t.events()) {
      Folding f = turns.get(e.turnId());
      if (f == null) {
        continue;
      }
      JsonNode d = e.data();
      switch (e.event()) {
        case "assistant_delta" -> f.text(d.path("text").asText(""), false);
        case "thinking_delta" -> f.text(d.path("text").asText(""), true);
        case "tool_call" -> f.blocks.add(new Part(null, null, new Tool(
            d.path("tool_use_id").asText(""), d.path("tool").asText("tool"),
            text(d, "input_summary"), "running", "running"), null, null));
        case "tool_result" -> f.toolResult(d.path("tool_use_id").asText(""),
            d.path("ok").asBoolean(true));
        case "requires_choice" -> f.blocks.add(new Part(null, null, null, d, null));
        case "choice_resolved" -> resolvedBy.put(d.path("choice_id").asText(""),
            d.path("source").asText(""));
        case "error" -> f.blocks.add(new Part(null, null, null, null, new Notice("error",
            errorText(d))));
        default -> {
          // queued, started, done, interrupted: the turn's status says it.
        }
      }
    }
    List<TurnView> out = new ArrayList<>();
    for (Folding f : turns.values()) {
      List<Block> blocks = new ArrayList<>();
      for (Part p : f.blocks) {
        if (p.asked() != null) {
          String choiceId = p.asked().path("choice_id").asText("");
          boolean waiting = choiceId.equals(f.turn.turn().pendingChoice());
          InterruptRow row = interrupts.apply(interruptId(choiceId));
          blocks.add(new Block(null, null, null, choiceView(loopId, p.asked(),
              resolvedBy.get(choiceId), waiting, row, viewer), null));
        } else {
          blocks.add(new Block(p.say() == null ? null : p.say().toString(),
              p.thought() == null ? null : p.thought().toString(), p.tool(), null, p.notice()));
        }
      }
      out.add(turnView(f.turn, blocks));
    }
    return out;
  }

  static String interruptId(String choiceId) {
    return choiceId.startsWith("choice_") ? choiceId.substring("choice_".length()) : choiceId;
  }

  static String errorText(JsonNode d) {
    String code = text(d, "code");
    String message = text(d, "message");
    return "Error" + (code == null ? "" : " (" + code + ")")
        + (message == null ? "" : ": " + message);
  }

  /** A block while the events are folded: text grows as deltas come. */
  private record Part(StringBuilder say, StringBuilder thought, Tool tool, JsonNode asked,
      Notice notice) {}

  private static final class Folding {
    final LoopService.TurnMessage turn;
    final List<Part> blocks = new ArrayList<>();

    Folding(LoopService.TurnMessage turn) {
      this.turn = turn;
    }

    void text(String text, boolean thinking) {
      Part last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
      StringBuilder into = last == null ? null : thinking ? last.thought() : last.say();
      if (into == null) {
        into = new StringBuilder();
        blocks.add(thinking ? new Part(null, into, null, null, null)
            : new Part(into, null, null, null, null));
      }
      into.append(text);
    }

    void toolResult(String useId, boolean ok) {
      for (int i = blocks.size() - 1; i >= 0; i--) {
        Tool tool = blocks.get(i).tool();
        if (tool != null && tool.useId().equals(useId)) {
          blocks.set(i, new Part(null, null, new Tool(tool.useId(), tool.name(), tool.summary(),
              ok ? "ok" : "failed", ok ? "done" : "failed"), null, null));
          return;
        }
      }
    }
  }

  /**
   * A choice as this viewer sees it. {@code waiting}: it is its turn's pending choice;
   * {@code source}: how it was resolved (web or api), null when it was not (or not yet).
   */
  private Choice choiceView(String loopId, JsonNode asked, String source, boolean waiting,
      InterruptRow row, Viewer viewer) {
    String choiceId = asked.path("choice_id").asText("");
    JsonNode payload = asked.path("payload");
    boolean permission = !"question".equals(asked.path("kind").asText());
    List<Question> questions = new ArrayList<>();
    int n = 0;
    for (JsonNode q : payload.path("questions")) {
      String qid = q.path("id").asText("q" + (n + 1));
      String fieldId = choiceId + "-" + qid;
      List<Option> options = new ArrayList<>();
      int i = 0;
      for (JsonNode o : q.path("options")) {
        options.add(new Option(o.asText(), fieldId + "-" + i++,
            q.path("multi_select").asBoolean(false) ? "checkbox" : "radio"));
      }
      questions.add(new Question("answer:" + qid, fieldId, text(q, "header"),
          q.path("question").asText(""), options, options.isEmpty()));
      n++;
    }
    String heading = permission ? "Allow " + payload.path("tool").asText("a tool") + "?"
        : n > 1 ? "The agent asks " + n + " questions" : "The agent asks";
    String command = permission ? text(payload, "command") : null;
    String input = permission && command == null && payload.has("input")
        ? Html.pretty(json, payload.get("input")) : null;
    boolean pending = waiting && row != null && row.isPending();
    boolean form = false;
    String note = null;
    if (pending) {
      Standing standing = viewer.person().of(row);
      form = standing.decides() && standing.waiting() == null;
      note = standing.waiting() != null ? standing.waiting()
          : standing.onlyWho() != null ? standing.onlyWho()
          : form ? null : "Waiting for an answer from someone who may decide.";
    }
    String[] outcome = pending ? new String[] {null, null} : outcome(permission, row, source);
    return new Choice(loopId, choiceId, interruptId(choiceId), heading, permission, command,
        text(payload, "reason"), input, questions, pending, form, note, outcome[0], outcome[1],
        viewer.csrf());
  }

  /** How a choice ended, in words, and its kind (allowed, denied, gone). */
  static String[] outcome(boolean permission, InterruptRow row, String source) {
    if (row == null) {
      return new String[] {"No longer waiting", "gone"};
    }
    String by = row.decidedBy() == null ? "" : " by " + row.decidedBy();
    String where = "web".equals(source) ? " on the web" : "api".equals(source)
        ? " through the API" : "";
    return switch (row.status()) {
      case "approved" -> new String[] {(permission ? "Allowed" : "Answered") + by + where
          + (!permission && row.response() != null ? ": " + row.response() : ""), "allowed"};
      case "rejected" -> new String[] {(permission ? "Denied" : "Declined") + by + where
          + (row.reason() == null ? "" : ". Reason: " + row.reason()), "denied"};
      case "expired" -> new String[] {"Expired: nobody answered in time", "gone"};
      case "cancelled" -> new String[] {"Withdrawn: the turn ended before an answer", "gone"};
      default -> new String[] {"No longer waiting: the turn ended", "gone"};
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }
}
