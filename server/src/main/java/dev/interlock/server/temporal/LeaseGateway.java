package dev.interlock.server.temporal;

import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.workflows.engine.LeaseEnd;
import dev.interlock.workflows.engine.LeaseHeartbeat;
import dev.interlock.workflows.engine.LeaseRequest;
import dev.interlock.workflows.engine.LeaseWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop's dispatch leases in Temporal: one {@link LeaseWorkflow} per claim, id
 * {@code engine-lease-<dispatch id>}. Starting one must succeed (a claim without its lease
 * is refused); heartbeats and ends are best effort, because the store is the lease's record
 * and the workflow reads it before it lapses anything.
 */
public final class LeaseGateway {

  private static final Logger log = LoggerFactory.getLogger(LeaseGateway.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final InterruptGateway interrupts;

  public LeaseGateway(WorkflowClient client, String taskQueue, InterruptGateway interrupts) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.interrupts = interrupts;
  }

  /**
   * Starts the lease's workflow. False if it runs already (recovery re-creating leases
   * finds those a dev server or cluster kept); a lease whose workflow closed may be started
   * again. {@link TemporarilyUnavailable} if Temporal cannot be reached.
   */
  public boolean start(LeaseRequest request) {
    return interrupts.shared(() -> {
      LeaseWorkflow lease = client.newWorkflowStub(LeaseWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(LeaseWorkflow.workflowId(request.dispatchId()))
          .setTaskQueue(taskQueue)
          .setWorkflowIdReusePolicy(
              WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
          .setStaticSummary("Dispatch lease of Loop issue " + request.issueId())
          .build());
      try {
        WorkflowClient.start(lease::run, request);
        return true;
      } catch (WorkflowExecutionAlreadyStarted running) {
        return false;
      } catch (WorkflowServiceException e) {
        throw new TemporarilyUnavailable("The dispatch lease could not be started; retry"
            + " shortly");
      }
    });
  }

  /** The agent is alive; false if the signal did not reach the workflow. */
  public boolean heartbeat(String dispatchId, String how) {
    return signal(dispatchId, lease -> lease.heartbeat(new LeaseHeartbeat(how)));
  }

  /** The lease ended in the store with {@code outcome}; false if the signal did not arrive. */
  public boolean complete(String dispatchId, String outcome) {
    return signal(dispatchId, lease -> lease.complete(new LeaseEnd(outcome)));
  }

  private boolean signal(String dispatchId, Consumer<LeaseWorkflow> send) {
    return interrupts.shared(() -> {
      try {
        send.accept(client.newWorkflowStub(LeaseWorkflow.class,
            LeaseWorkflow.workflowId(dispatchId)));
        return true;
      } catch (WorkflowNotFoundException ended) {
        return false; // it lapsed or ended meanwhile
      } catch (WorkflowServiceException e) {
        if (!(e.getCause() instanceof WorkflowNotFoundException)) {
          log.warn("lease {}: signal not delivered ({}); its lapse check reads the store",
              dispatchId, e.getMessage());
        }
        return false;
      }
    });
  }
}
