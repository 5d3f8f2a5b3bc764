package dev.interlock.server.mcp;

import dev.interlock.server.wire.Quorum;
import dev.interlock.server.wire.Questions;
import static dev.interlock.server.wire.JsonBodies.limit;
import static dev.interlock.server.wire.JsonBodies.optionalLong;
import static dev.interlock.server.wire.JsonBodies.optionalObject;
import static dev.interlock.server.wire.JsonBodies.optionalText;
import static dev.interlock.server.wire.JsonBodies.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Urgency;
import dev.interlock.model.InterruptRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import dev.interlock.model.LoopTurnRow;
import dev.interlock.server.service.LoopService;

/**
 * Interlock's own tools, the reason agents want MCP here: each creates an interrupt
 * (source {@code mcp}, reviewable through every dialect like any other) and holds the
 * call until a person decides, so the agent gets the answer as the tool's result.
 */
final class BlockingTools {

  /** An {@code ask_human} question expires after this long unless the agent says otherwise. */
  static final long DEFAULT_QUESTION_SECONDS = 3600;
  /** How long past an approval's expiry the wait goes on to see the expiry recorded. */
  static final Duration EXPIRY_GRACE = Duration.ofSeconds(5);

  private final InterruptService interrupts;
  private final LoopService loops;
  private final ReviewLinks links;
  private final BlockingWait wait;
  private final ObjectMapper json;
  private final Clock clock;
  private final Duration maxWait;
  private final long maxExpiresIn;

  BlockingTools(InterruptService interrupts, LoopService loops, ReviewLinks links,
      BlockingWait wait, ObjectMapper json, Clock clock, Duration maxWait, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.loops = loops;
    this.links = links;
    this.wait = wait;
    this.json = json;
    this.clock = clock;
    this.maxWait = maxWait;
    this.maxExpiresIn = maxExpiresIn;
  }

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("ask_human",
            "Ask a person a question and wait for the answer (up to " + human(maxWait)
                + "; progress is reported meanwhile). With options the person picks one. Returns"
                + " {status, answer, approved, interruptId}; if nobody answered in time, status"
                + " is pending: call get_interrupt_status with the interruptId later.",
            ToolSchema.object()
                .string("question", true, "What to ask")
                .strings("options", "Answers the person may pick")
                .json("context", false, "Anything that helps the person answer")
                .oneOf("urgency", false, List.of("low", "medium", "normal", "high", "critical"),
                    "Default normal")
                .number("timeout_seconds", false,
                    "Seconds until the question expires unanswered (default 3600)")
                .build(),
            Scopes.REQUEST_CREATE, this::askHuman),
        new McpTool("approval_prompt",
            "Claude Code's --permission-prompt-tool: a person approves, edits or denies a tool"
                + " use in Interlock. Returns one text content holding"
                + " {\"behavior\":\"allow\",\"updatedInput\":{...}} or"
                + " {\"behavior\":\"deny\",\"message\":\"...\"}.",
            ToolSchema.object()
                .string("tool_name", true, "The tool Claude wants to use")
                .json("input", true, "The input it wants to use it with")
                .string("tool_use_id", false, "Claude's id of this tool use")
                .build(),
            Scopes.REQUEST_CREATE, false, false, this::approvalPrompt));
  }

  private JsonNode askHuman(Caller caller, ObjectNode args, ToolCall call) {
    String question = limit(requiredText(args, "question"), "question", 10_000);
    ArrayNode options = Questions.options(args, "options");
    ObjectNode context = optionalObject(args, "context");
    Urgency urgency = urgency(optionalText(args, "urgency"));
    Long timeout = optionalLong(args, "timeout_seconds");
    if (timeout == null) {
      timeout = DEFAULT_QUESTION_SECONDS;
    }
    if (timeout <= 0) {
      throw new InvalidRequest("timeout_seconds must be a positive number of seconds");
    }
    if (timeout > maxExpiresIn) {
      throw new InvalidRequest("timeout_seconds must be at most " + maxExpiresIn);
    }
    Instant now = clock.instant();
    InterruptRow created = interrupts.create(caller, new CreateInterrupt("mcp", agent(caller, call),
        null, question, context == null ? json.createObjectNode() : context, null, urgency,
        now.plusSeconds(timeout), null, null, options == null ? "input" : "choice", options, null))
        .interrupt();
    InterruptRow row = wait.await(caller, created.id(), now.plus(maxWait), call,
        waiting(created));
    ObjectNode out = json.createObjectNode();
    out.put("status", row.status());
    out.put("answer", row.isPending() ? null : Questions.answer(row));
    out.put("approved", "approved".equals(row.decision()));
    out.put("interruptId", row.id());
    if (row.isPending()) {
      out.put("message", "Nobody has answered yet (waited " + human(maxWait) + "). The question"
          + " stays open: call get_interrupt_status with interruptId " + row.id() + " later.");
    }
    return out;
  }

  /**
   * The interrupt expires when the wait ends, so nobody approves a tool use Claude no longer
   * waits for. A repeated call with the same {@code tool_use_id} waits on the same interrupt.
   */
  private JsonNode approvalPrompt(Caller caller, ObjectNode args, ToolCall call) {
    String toolName = limit(requiredText(args, "tool_name"), "tool_name", 1000);
    ObjectNode input = optionalObject(args, "input");
    if (input == null) {
      throw new InvalidRequest("input is required");
    }
    String toolUseId = limit(optionalText(args, "tool_use_id"), "tool_use_id", 200);
    if (toolUseId != null && toolUseId.isBlank()) {
      toolUseId = null;
    }
    Optional<LoopTurnRow> turn = loops.turnOf(caller);
    if (turn.isPresent()) {
      return choice(caller, turn.get(), toolName, input, toolUseId, call);
    }
    ObjectNode context = json.createObjectNode().put("tool_name", toolName);
    if (toolUseId != null && !toolUseId.isBlank()) {
      context.put("tool_use_id", toolUseId);
    }
    Instant expiresAt = clock.instant().plus(maxWait);
    InterruptRow created = interrupts.createSettled(caller, CreateInterrupt.approval("mcp",
        agent(caller, call), null, toolName, context, input, Urgency.NORMAL, expiresAt, null,
        toolUseId == null || toolUseId.isBlank() ? null : "approval_prompt:" + toolUseId))
        .interrupt();
    InterruptRow row = created.isPending()
        ? wait.await(caller, created.id(), created.expiresAt().plus(EXPIRY_GRACE), call,
            waiting(created))
        : created;
    return behavior(row, input);
  }

  /**
   * The agent of a loop's turn asks (its key is the turn's): the interrupt is the turn's
   * choice (source loopat), shown in the loop's stream and every door, waiting as long as
   * the choice may (no timeout unless the operator set one). Questions
   * ({@code AskUserQuestion}) come back allowed with the answers in the input.
   */
  private JsonNode choice(Caller caller, LoopTurnRow turn, String toolName, ObjectNode input,
      String toolUseId, ToolCall call) {
    InterruptRow created = loops.ask(caller, turn, toolName, input, toolUseId);
    InterruptRow row = created.isPending()
        ? wait.await(caller, created.id(), created.expiresAt().plus(EXPIRY_GRACE), call,
            waiting(created))
        : created;
    loops.settled(row);
    if ("approved".equals(row.status())) {
      ObjectNode out = json.createObjectNode();
      out.put("behavior", "allow");
      out.set("updatedInput", loops.allowedInput(row, input));
      return out;
    }
    return behavior(row, input);
  }

  /** Claude Code's permission answer for the interrupt as it stands. */
  ObjectNode behavior(InterruptRow row, ObjectNode input) {
    ObjectNode out = json.createObjectNode();
    if ("approved".equals(row.status())) {
      out.put("behavior", "allow");
      JsonNode edited = row.modifiedParams();
      out.set("updatedInput", edited != null && edited.isObject() ? edited : input);
      return out;
    }
    out.put("behavior", "deny");
    out.put("message", switch (row.status()) {
      case "rejected" -> "Denied in Interlock"
          + (row.decidedBy() == null ? "" : " by " + row.decidedBy())
          + (row.reason() == null || row.reason().isBlank() ? "" : ": " + row.reason());
      case "expired" -> "Nobody decided in time: the request expired (interrupt " + row.id() + ")";
      case "cancelled" -> "The request was cancelled in Interlock (interrupt " + row.id() + ")";
      default -> "No decision yet: interrupt " + row.id() + " is still pending in Interlock"
          + (row.requiredApprovals() > 1 ? " (" + Quorum.summary(row) + ")" : "");
    });
    return out;
  }

  private String waiting(InterruptRow row) {
    return "Waiting for a person to decide: " + links.url(row)
        + " (interrupt " + row.id() + ")"
        + (row.requiredApprovals() > 1 ? "; " + Quorum.summary(row) : "");
  }

  /** Who asks: the MCP client's name as it introduced itself, else the key's name. */
  private static String agent(Caller caller, ToolCall call) {
    String client = call.clientName();
    String name = client == null || client.isBlank() ? caller.getName() : client;
    return name.length() > 256 ? name.substring(0, 256) : name;
  }

  static Urgency urgency(String value) {
    if (value == null || value.isBlank()) {
      return Urgency.NORMAL;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "low" -> Urgency.LOW;
      case "medium", "normal" -> Urgency.NORMAL;
      case "high" -> Urgency.HIGH;
      case "critical" -> Urgency.CRITICAL;
      default -> throw new InvalidRequest("urgency must be one of low, medium, high, critical");
    };
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s % 60 == 0 && s >= 60) {
      return (s / 60) + " min";
    }
    return s + " s";
  }
}
