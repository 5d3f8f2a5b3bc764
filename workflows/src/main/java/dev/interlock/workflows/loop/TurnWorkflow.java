package dev.interlock.workflows.loop;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One turn of a loop, a child of the loop's workflow: queued → started → running → done |
 * interrupted | error. Cancelling it (loopat's {@code POST /interrupt}) stops the agent.
 */
@WorkflowInterface
public interface TurnWorkflow {

  static String workflowId(String turnId) {
    return "turn-" + turnId;
  }

  @WorkflowMethod
  TurnOutcome run(TurnInput input);
}
