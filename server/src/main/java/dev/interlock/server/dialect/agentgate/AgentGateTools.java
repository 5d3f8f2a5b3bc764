package dev.interlock.server.dialect.agentgate;

import static dev.interlock.server.dialect.agentgate.RequestCalls.onRequest;
import static dev.interlock.server.wire.JsonBodies.requiredText;

import dev.interlock.server.auth.Scopes;
import dev.interlock.server.dialect.agentgate.AgentGateInput.Decide;
import dev.interlock.server.dialect.agentgate.AgentGateInput.DecideBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.PolicyBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.RequestBody;
import dev.interlock.server.mcp.Arguments;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.PolicyService;
import dev.interlock.server.wire.JsonBodies;
import java.time.Clock;
import java.util.List;

/**
 * AgentGate's tools: requests over the same service and views as {@code /api/requests},
 * policies as {@code /api/policies} (admin scope, as there), and the owner-wide audit log as
 * {@code /api/audit}. Arguments bind to the same request records as those bodies, and every
 * answer is the same record, as a tree.
 */
final class AgentGateTools {

  private static final List<String> STATUSES = List.of("pending", "approved", "denied", "expired");

  private final InterruptService interrupts;
  private final PolicyService policies;
  private final AgentGateViews views;
  private final JsonBodies bodies;
  private final Clock clock;
  private final long maxExpiresIn;

  AgentGateTools(InterruptService interrupts, PolicyService policies, AgentGateViews views,
      JsonBodies bodies, Clock clock, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.policies = policies;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
    this.maxExpiresIn = maxExpiresIn;
  }

  List<McpTool> tools() {
    return List.of(
        McpTool.writing("agentgate_request",
            "Ask for approval of an action (AgentGate). The owner's policies may approve or"
                + " deny it at once; otherwise it is pending until a person decides.",
            ToolSchema.object()
                .string("action", true, "What the agent wants to do, e.g. send_email")
                .json("params", false, "The action's parameters")
                .json("context", false, "Anything that helps the person decide")
                .oneOf("urgency", false, List.of("low", "normal", "high", "critical"),
                    "Default normal")
                .dateTime("expiresAt", "When it expires undecided (default in 24 hours)")
                .build(),
            Scopes.REQUEST_CREATE,
            (caller, args, call) -> views.tree(views.request(interrupts.createSettled(caller,
                bodies.bind(args, RequestBody.class).command("agentgate", caller, null,
                    clock.instant(), maxExpiresIn)).interrupt()))),
        McpTool.reading("agentgate_get",
            "One approval request with its status, decision and reason.",
            ToolSchema.object().string("id", true, "The request's id").build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> {
              String id = requiredText(args, "id");
              return views.tree(views.request(onRequest(() -> interrupts.get(caller, id))));
            }),
        McpTool.reading("agentgate_list",
            "Approval requests, newest first, optionally by status: {requests, pagination}.",
            ToolSchema.object()
                .oneOf("status", false, STATUSES, "Only requests in this status")
                .string("action", false, "Only requests for this action")
                .oneOf("urgency", false, List.of("low", "normal", "high", "critical"),
                    "Only requests of this urgency")
                .integer("limit", "At most this many, 1 to 100 (default 50)")
                .integer("offset", "Skip this many")
                .build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> {
              AgentGateInput.ListQuery q = AgentGateInput.list(Arguments.text(args, "status"),
                  Arguments.text(args, "action"), Arguments.text(args, "urgency"),
                  Arguments.scalar(args, "limit"), Arguments.scalar(args, "offset"));
              return views.tree(views.requests(interrupts.list(caller, q.status(), q.action(),
                  q.urgency(), q.limit(), q.offset())));
            }),
        McpTool.writing("agentgate_decide",
            "Approve or deny a pending request.",
            ToolSchema.object()
                .string("id", true, "The request's id")
                .oneOf("decision", true, List.of("approved", "denied"), "The decision")
                .string("reason", false, "Why")
                .string("decidedBy", false, "Who decided (default: the key's name)")
                .build(),
            Scopes.REQUEST_DECIDE,
            (caller, args, call) -> {
              String id = requiredText(args, "id");
              onRequest(() -> interrupts.get(caller, id)); // not found before bad input, as over REST
              Decide d = bodies.bind(args, DecideBody.class).validated();
              return views.tree(views.decided(onRequest(() -> interrupts.decideAs(caller,
                  d.actor(caller), id, d.decision(), d.reason(), null, null, null))));
            }),
        McpTool.reading("agentgate_list_policies",
            "The owner's policies in evaluation order (priority ascending):"
                + " {policies, pagination}.",
            ToolSchema.object()
                .integer("limit", "At most this many, 1 to 100 (default 50)")
                .integer("offset", "Skip this many")
                .build(),
            Scopes.ADMIN,
            (caller, args, call) -> {
              AgentGateInput.Paging page = AgentGateInput.paging(Arguments.scalar(args, "limit"),
                  Arguments.scalar(args, "offset"));
              return views.tree(views.policies(policies.page(caller, page.limit(), page.offset())));
            }),
        McpTool.writing("agentgate_create_policy",
            "Add a policy: rules, in order, each {match, decision} with decision auto_approve,"
                + " auto_deny or route_to_human; the first matching rule wins.",
            ToolSchema.object()
                .string("name", true, "The policy's name")
                .objects("rules", true, "Rules in order: {match: {path: value or operator},"
                    + " decision}")
                .integer("priority", "Lower runs first (default 100)")
                .bool("enabled", "Default true")
                .build(),
            Scopes.ADMIN,
            (caller, args, call) -> views.tree(views.policy(policies.create(caller,
                bodies.bind(args, PolicyBody.class).command(null))))),
        McpTool.writing("agentgate_update_policy",
            "Replace a policy's name and rules (and priority or enabled, if given).",
            ToolSchema.object()
                .string("id", true, "The policy's id")
                .string("name", true, "The policy's name")
                .objects("rules", true, "Rules in order")
                .integer("priority", "Lower runs first")
                .bool("enabled", "Whether it is evaluated")
                .build(),
            Scopes.ADMIN,
            (caller, args, call) -> {
              String id = requiredText(args, "id");
              var current = policies.get(caller, id);
              return views.tree(views.policy(policies.update(caller, id,
                  bodies.bind(args, PolicyBody.class).replacement(current))));
            }),
        McpTool.writing("agentgate_delete_policy",
            "Delete a policy.",
            ToolSchema.object().string("id", true, "The policy's id").build(),
            Scopes.ADMIN,
            (caller, args, call) -> {
              String id = requiredText(args, "id");
              policies.delete(caller, id);
              return views.tree(views.deleted(id));
            }),
        McpTool.reading("agentgate_list_audit_logs",
            "Audit events of every request (created, policy.evaluated, approved, denied,"
                + " expired, confirmed, ...), newest first, each filter optional:"
                + " {entries, pagination}, as GET /api/audit.",
            ToolSchema.object()
                .string("requestId", false, "Only this request's events")
                .string("action", false, "Only requests for this action")
                .oneOf("status", false, STATUSES, "Only requests now in this status")
                .string("eventType", false, "Only this event, e.g. approved")
                .string("actor", false, "Only events by this actor")
                .dateTime("from", "Events at or after this time")
                .dateTime("to", "Events at or before this time")
                .integer("limit", "At most this many, 1 to 100 (default 50)")
                .integer("offset", "Skip this many")
                .build(),
            Scopes.REQUEST_READ,
            (caller, args, call) -> views.tree(views.auditLog(interrupts.auditLog(caller,
                AgentGateInput.auditQuery(Arguments.text(args, "requestId"),
                    Arguments.text(args, "action"), Arguments.text(args, "status"),
                    Arguments.text(args, "eventType"), Arguments.text(args, "actor"),
                    Arguments.text(args, "from"), Arguments.text(args, "to"),
                    Arguments.scalar(args, "limit"), Arguments.scalar(args, "offset")))))));
  }
}
