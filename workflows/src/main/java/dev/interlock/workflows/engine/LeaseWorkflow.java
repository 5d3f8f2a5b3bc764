package dev.interlock.workflows.engine;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The lease of one claim of a Loop issue ({@code GET /api/dispatch/next}): a durable timer
 * that the claiming agent keeps pushing back with {@link #heartbeat} (an update of the
 * issue, a comment on it, the {@code loop_heartbeat} tool) and ends with {@link #complete}.
 * When the timer runs out first, an activity returns the issue to the queue. Upstream Loop
 * has no lease: an agent that dies holds its issue forever.
 *
 * <p>PostgreSQL ({@code engine_dispatches}) stays the record of the lease; the workflow is
 * its clock. The lapse activity checks the row before it returns anything, so a heartbeat
 * recorded in the store whose signal never arrived still counts, and a lease ended in the
 * store (completed, released) is never lapsed.
 */
@WorkflowInterface
public interface LeaseWorkflow {

  static String workflowId(String dispatchId) {
    return "engine-lease-" + dispatchId;
  }

  /** Runs until the lease ends; answers how it ended. */
  @WorkflowMethod
  LeaseEnd run(LeaseRequest request);

  /** The agent is alive: the lease runs its full length again from now. */
  @SignalMethod
  void heartbeat(LeaseHeartbeat heartbeat);

  /** The lease ended in the store (completed, released or canceled): stop waiting. */
  @SignalMethod
  void complete(LeaseEnd end);
}
