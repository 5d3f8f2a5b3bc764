package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.SessionService;
import dev.interlock.server.wire.JsonBodies;
import java.time.Clock;
import java.util.List;

/**
 * Loopgate's four tools, over the same services, request records and views as
 * {@code /hitl}; a tool's result is the JSON the matching REST call answers.
 */
final class LoopgateTools {

  private final InterruptService interrupts;
  private final SessionService sessions;
  private final JsonBodies bodies;
  private final ObjectMapper json;
  private final Clock clock;
  private final long maxTimeoutSeconds;

  private final java.util.function.Function<Caller, java.util.Optional<String>> sessionOwner;

  LoopgateTools(InterruptService interrupts, SessionService sessions, JsonBodies bodies,
      ObjectMapper json, Clock clock, long maxTimeoutSeconds,
      java.util.function.Function<Caller, java.util.Optional<String>> sessionOwner) {
    this.sessionOwner = sessionOwner;
    this.interrupts = interrupts;
    this.sessions = sessions;
    this.bodies = bodies;
    this.json = json;
    this.clock = clock;
    this.maxTimeoutSeconds = maxTimeoutSeconds;
  }

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("request_human_input",
            "Send a person a question or a confirmation (Loopgate). Returns the request id"
                + " at once; poll check_request_status for the answer. The session is"
                + " registered on first use.",
            ToolSchema.object()
                .string("session_id", true, "The agent session (registered on first use)")
                .string("client_id", true, "Which agent asks")
                .string("message", true, "What to ask")
                .oneOf("request_type", false, List.of("confirmation", "input", "choice"),
                    "Default: choice with options, else input")
                .strings("options", "Answers the person may pick")
                .number("timeout_seconds", false, "Seconds until it times out (default 300)")
                .json("metadata", false, "Anything that helps the person answer")
                .build(),
            Scopes.REQUEST_CREATE,
            (caller, args, call) -> {
              LoopgateInput.NewRequest request = bodies.bind(args, LoopgateInput.RequestBody.class)
                  .validated(null, clock.instant(), maxTimeoutSeconds);
              ensureSession(caller, request);
              return json.valueToTree(LoopgateViews.Created.of(
                  interrupts.create(caller, request.command().withAssignee(
                      sessionOwner.apply(caller).orElse(null))).interrupt()));
            }),
        McpTool.reading("check_request_status",
            "A request's status (pending, completed, timeout, canceled), the answer and"
                + " whether it was approved.",
            ToolSchema.object().string("request_id", true, "The request's id").build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> json.valueToTree(LoopgateViews.Poll.of(
                interrupts.get(caller, requestId(args))))),
        McpTool.reading("list_pending_requests",
            "Every request still waiting for a person, newest first, whichever API made it.",
            ToolSchema.object().build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> json.valueToTree(LoopgateViews.Pending.of(
                interrupts.pending(caller, HitlResource.PENDING_LIMIT)))),
        McpTool.writing("cancel_request",
            "Withdraw a pending request.",
            ToolSchema.object().string("request_id", true, "The request's id").build(),
            Scopes.REQUEST_DECIDE,
            (caller, args, call) -> {
              interrupts.cancel(caller, requestId(args), null, null);
              return json.valueToTree(LoopgateViews.Ok.of(HitlResource.CANCELED));
            }));
  }

  /** The request a tool names; unlike the REST body, surrounding blanks are forgiven. */
  private String requestId(ObjectNode args) {
    return bodies.bind(args, LoopgateInput.RequestRef.class).validated().trim();
  }

  /**
   * Over REST an agent registers its session first ({@code POST /hitl/register}); MCP has
   * no such tool, so the first request of a session registers it. A deactivated session
   * stays refused, as over REST.
   */
  private void ensureSession(Caller caller, LoopgateInput.NewRequest request) {
    try {
      sessions.requireActive(caller, request.sessionId());
    } catch (NotFound unknown) {
      sessions.register(caller, request.sessionId(), request.command().agentId(), null);
    }
  }
}
