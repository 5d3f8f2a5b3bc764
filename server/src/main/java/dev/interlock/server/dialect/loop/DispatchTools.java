package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.DispatchRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.mcp.ToolCall;
import dev.interlock.server.mcp.ToolSchema;
import dev.interlock.server.service.engine.DispatchService;
import java.util.List;

/**
 * Dispatch's MCP tool of Interlock's own: {@code loop_heartbeat}, the explicit sign of life
 * that keeps a claim's lease (Loop's API has no heartbeat route; updating the issue or
 * commenting on it counts too).
 */
final class DispatchTools {

  private final DispatchService dispatch;
  private final DispatchViews views;

  DispatchTools(DispatchService dispatch, DispatchViews views) {
    this.dispatch = dispatch;
    this.views = views;
  }

  List<McpTool> tools() {
    return List.of(McpTool.writing("loop_heartbeat",
        "Keep your claim of a Loop issue (from loop_get_next_task or GET /api/dispatch/next):"
            + " its lease runs its full length again from now. Without a heartbeat, an update"
            + " of the issue or a comment on it within the lease, the issue returns to todo"
            + " for another agent. Returns the lease {dispatchId, issueId, claimedAt,"
            + " expiresAt, heartbeatAt, durationSeconds}. An issue that holds no lease (not"
            + " claimed, or its lease ended) is an error.",
        ToolSchema.object()
            .string("issueId", true, "The claimed issue's id")
            .build(),
        Scopes.LOOP_WRITE, this::heartbeat));
  }

  private JsonNode heartbeat(Caller caller, ObjectNode args, ToolCall call) {
    JsonNode id = args.get("issueId");
    if (id == null || id.isNull() || (id.isTextual() && id.asText().isBlank())) {
      throw new InvalidRequest("issueId is required");
    }
    if (!id.isTextual()) {
      throw new InvalidRequest("issueId must be a string");
    }
    DispatchRow lease = dispatch.heartbeat(caller, id.asText().trim());
    return views.lease(lease, dispatch.lease());
  }
}
