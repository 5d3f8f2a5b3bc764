package dev.interlock.server.dialect.loopin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.wire.JsonBodies;
import java.time.Clock;
import java.util.List;

/**
 * LoopIn's six tools, over the same service, request records and views as
 * {@code /interrupts}: each accepts what the matching REST call accepts and answers its JSON.
 */
final class LoopinTools {

  /** The argument of the tools that name one interrupt. */
  record InterruptArgument(String interruptId) {
    String validate() {
      return LoopinInput.required(interruptId, "interruptId");
    }
  }

  /** The argument of the tools that name one end user. */
  record UserArgument(String userId) {
    String validate() {
      return JsonBodies.limit(LoopinInput.required(userId, "userId"), "userId",
          LoopinInput.MAX_ID);
    }
  }

  private final InterruptService interrupts;
  private final LoopinViews views;
  private final JsonBodies bodies;
  private final ObjectMapper json;
  private final Clock clock;
  private final long maxExpiresIn;

  LoopinTools(InterruptService interrupts, LoopinViews views, JsonBodies bodies,
      ObjectMapper json, Clock clock, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.views = views;
    this.bodies = bodies;
    this.json = json;
    this.clock = clock;
    this.maxExpiresIn = maxExpiresIn;
  }

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("create_interrupt",
            "Ask a person to approve an action (LoopIn). Returns the interrupt id and a review"
                + " URL at once; poll get_interrupt_status for the decision.",
            ToolSchema.object()
                .string("agentId", true, "Which agent asks")
                .string("userId", true, "Whose approval is asked for")
                .string("action", true, "What the agent wants to do")
                .json("context", true, "Anything that helps the person decide")
                .oneOf("urgency", false, List.of("low", "medium", "high"), "Default medium")
                .number("expiresIn", false, "Seconds until it expires undecided (default 3600)")
                .string("callbackUrl", false, "Where to POST the outcome")
                .build(),
            Scopes.REQUEST_CREATE,
            (caller, args, call) -> tree(views.seenBy(caller).created(interrupts.create(caller,
                bodies.bind(args, CreateInterruptRequest.class)
                    .validate("loopin", null, clock.instant(), maxExpiresIn)).interrupt()))),
        McpTool.reading("get_interrupt_status",
            "An interrupt in every state: status (pending, approved, rejected, expired,"
                + " cancelled), decision, reason and modifiedParams.",
            ToolSchema.object().string("interruptId", true, "The interrupt's id").build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> tree(views.seenBy(caller).interrupt(interrupts.get(caller,
                bodies.bind(args, InterruptArgument.class).validate())))),
        McpTool.reading("list_pending_interrupts",
            "The interrupts waiting for one user's decision, newest first.",
            ToolSchema.object().string("userId", true, "Whose pending interrupts").build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> tree(views.seenBy(caller).pending(interrupts.pendingForUser(caller,
                bodies.bind(args, UserArgument.class).validate(), 500)))),
        McpTool.writing("decide_interrupt",
            "Approve or reject a pending interrupt, optionally with a reason and edited"
                + " parameters the agent should use instead.",
            ToolSchema.object()
                .string("interruptId", true, "The interrupt's id")
                .oneOf("decision", true, List.of("approved", "rejected"), "The decision")
                .string("reason", false, "Why")
                .json("modifiedParams", false, "Parameters the agent should use instead")
                .build(),
            Scopes.REQUEST_DECIDE,
            (caller, args, call) -> {
              String id = bodies.bind(args, InterruptArgument.class).validate();
              interrupts.get(caller, id); // not found before bad input, as over REST
              DecideInterruptRequest.Verdict v =
                  bodies.bind(args, DecideInterruptRequest.class).validate();
              return tree(views.decided(interrupts.decide(caller, id, v.decision(), v.reason(),
                  v.modifiedParams(), null)));
            }),
        McpTool.writing("cancel_interrupt",
            "Withdraw a pending interrupt: nobody needs to decide it any more.",
            ToolSchema.object().string("interruptId", true, "The interrupt's id").build(),
            Scopes.REQUEST_DECIDE,
            (caller, args, call) -> tree(views.cancelled(interrupts.cancel(caller,
                bodies.bind(args, InterruptArgument.class).validate(), null, null)))),
        McpTool.reading("get_interrupt_analytics",
            "One user's interrupts counted: approval rate, average response time, by status,"
                + " by urgency, top actions.",
            ToolSchema.object().string("userId", true, "Whose interrupts").build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> {
              String userId = bodies.bind(args, UserArgument.class).validate();
              return tree(views.analytics(userId, interrupts.analytics(caller, userId)));
            }));
  }

  /** A view as the JSON tree MCP sends, rendered by the same mapper as the REST answer. */
  private JsonNode tree(Object view) {
    return json.valueToTree(view);
  }
}
