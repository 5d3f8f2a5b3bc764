package dev.interlock.server.temporal;

import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.workflows.CancelCommand;
import dev.interlock.workflows.loop.LoopState;
import dev.interlock.workflows.loop.LoopWorkflow;
import dev.interlock.workflows.loop.TurnRef;
import dev.interlock.worker.loop.ChoiceWithdrawal;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loops in Temporal: each loop's workflow is started (or woken) by signal-with-start with
 * the message to run, and told to interrupt or archive by signals. Also withdraws a choice
 * whose turn ended (a cancel of the interrupt behind it).
 */
public final class LoopGateway implements ChoiceWithdrawal {

  private static final Logger log = LoggerFactory.getLogger(LoopGateway.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final InterruptGateway interrupts;

  public LoopGateway(WorkflowClient client, String taskQueue, InterruptGateway interrupts) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.interrupts = interrupts;
  }

  /** Queues a turn on the loop's workflow, starting the workflow if it is not running. */
  public void enqueue(String loopId, TurnRef turn) {
    interrupts.shared(() -> {
      LoopWorkflow loop = client.newWorkflowStub(LoopWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(LoopWorkflow.workflowId(loopId))
          .setTaskQueue(taskQueue)
          .setWorkflowIdReusePolicy(
              WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
          .build());
      BatchRequest request = client.newSignalWithStartRequest();
      request.add(loop::run, new LoopState(loopId, List.of()));
      request.add(loop::enqueue, turn);
      try {
        client.signalWithStart(request);
      } catch (WorkflowServiceException e) {
        throw new TemporarilyUnavailable("The loop's workflow could not be reached: "
            + e.getMessage());
      }
      return null;
    });
  }

  /** Interrupts the loop's running turn and ends its queued ones; nothing if it is idle. */
  public void interrupt(String loopId) {
    signal(loopId, LoopWorkflow::interrupt);
  }

  /** Interrupts the loop and lets its workflow end. */
  public void archive(String loopId) {
    signal(loopId, LoopWorkflow::archive);
  }

  private void signal(String loopId, java.util.function.Consumer<LoopWorkflow> send) {
    interrupts.shared(() -> {
      try {
        send.accept(client.newWorkflowStub(LoopWorkflow.class, LoopWorkflow.workflowId(loopId)));
      } catch (WorkflowNotFoundException idle) {
        // No workflow: nothing runs or waits.
      } catch (WorkflowServiceException e) {
        if (e.getCause() instanceof WorkflowNotFoundException) {
          return null;
        }
        throw new TemporarilyUnavailable("The loop's workflow could not be reached: "
            + e.getMessage());
      }
      return null;
    });
  }

  @Override
  public void withdraw(String interruptId, String reason) {
    try {
      interrupts.cancel(interruptId, new CancelCommand("system:loop", reason, "system:loop"),
          "withdraw-" + interruptId);
    } catch (RuntimeException e) {
      log.debug("choice interrupt {} not withdrawn: {}", interruptId, e.getMessage());
    }
  }
}
