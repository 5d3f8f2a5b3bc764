package dev.interlock.server.service;

import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.model.Approval;
import dev.interlock.model.InterruptRow;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.InterlockSearchAttributes;
import io.temporal.common.SearchAttributes;
import dev.interlock.workflows.InterruptRequest;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Starts an interrupt's workflow from its stored row: for new interrupts and for recovery. */
public final class WorkflowStarter {

  private final InterruptGateway gateway;

  public WorkflowStarter(InterruptGateway gateway) {
    this.gateway = gateway;
  }

  /** Starts the workflow unless it runs already; returns true if it was started now. */
  public boolean ensureWorkflow(InterruptRow row) {
    InterruptState resumeFrom = row.isPending() ? null : stateOf(row);
    // AgentGate requests and MCP approval prompts (approvals, not questions) let the owner's
    // policies decide first; evaluating again after a restart that lost the workflow is
    // harmless (the same policies, one more audit entry).
    boolean policies = "agentgate".equals(row.source())
        || "mcp".equals(row.source()) && row.requestType() == null;
    // The quorum and the approvals already given, so a re-created workflow (recovery, an
    // embedded restart) counts on from where the store stands.
    InterruptRequest request = new InterruptRequest(row.id(), row.expiresAt().toEpochMilli(),
        "pending".equals(row.callbackState()), resumeFrom, policies && row.isPending(),
        row.requiredApprovals(), approverIds(row));
    // Two memo keys, not one per field: the embedded Temporal keeps every memo payload of
    // every waiting workflow in memory with its own metadata map (about 400 bytes each),
    // which was a fifth of the heap per pending wait (docs/benchmarks.md, scenario 3).
    Map<String, Object> interrupt = new LinkedHashMap<>();
    interrupt.put("id", row.id());
    interrupt.put("agentId", row.agentId() == null ? "" : row.agentId());
    interrupt.put("userId", row.userId() == null ? "" : row.userId());
    interrupt.put("action", truncate(row.action(), 200));
    interrupt.put("source", row.source());
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put("interrupt", interrupt);
    memo.put("status", row.status());
    String summary = "[" + row.source() + "] " + truncate(row.action(), 150)
        + (row.agentId() == null ? "" : " (agent " + row.agentId() + ")");
    return gateway.start(request, memo, summary,
        gateway.searchAttributes() ? searchAttributes(row) : null);
  }

  /** What an operator filters on in the Temporal UI; the status is upserted on every change. */
  private static SearchAttributes searchAttributes(InterruptRow row) {
    SearchAttributes.Builder b = SearchAttributes.newBuilder()
        .set(InterlockSearchAttributes.STATUS, row.status())
        .set(InterlockSearchAttributes.SOURCE, row.source())
        .set(InterlockSearchAttributes.OWNER, row.ownerId())
        .set(InterlockSearchAttributes.URGENCY, row.urgency())
        .set(InterlockSearchAttributes.EXPIRES_AT,
            row.expiresAt().atOffset(java.time.ZoneOffset.UTC));
    if (row.agentId() != null) {
      b.set(InterlockSearchAttributes.AGENT, row.agentId());
    }
    if (row.action() != null) {
      b.set(InterlockSearchAttributes.ACTION, truncate(row.action(), 1000));
    }
    return b.build();
  }

  private static InterruptState stateOf(InterruptRow row) {
    return new InterruptState(InterruptStatus.fromWire(row.status()),
        row.decision() == null ? null : Decision.valueOf(row.decision().toUpperCase(java.util.Locale.ROOT)),
        row.reason(), row.modifiedParams(), row.decidedBy(),
        row.decidedAt() == null ? 0L : row.decidedAt().toEpochMilli(), row.commandId(), row.response(),
        row.decidedById(), approverIds(row));
  }

  private static List<String> approverIds(InterruptRow row) {
    return row.approvals().stream().map(Approval::approverId).toList();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
