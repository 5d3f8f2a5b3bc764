package dev.interlock.workflows.loop;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A loop: owns its queue of messages and runs them one turn at a time, each a child
 * {@link TurnWorkflow}. Started (or woken) by {@link #enqueue} through signal-with-start;
 * ends when it has been idle for a while (the next message starts it again, a cold start)
 * and continues as new long before its history grows large.
 */
@WorkflowInterface
public interface LoopWorkflow {

  static String workflowId(String loopId) {
    return "loop-" + loopId;
  }

  @WorkflowMethod
  void run(LoopState state);

  /** A new message, to run after those before it. */
  @SignalMethod
  void enqueue(TurnRef turn);

  /** Cancels the running turn and ends every queued one ({@code interrupted}). */
  @SignalMethod
  void interrupt();

  /** The loop is archived: like {@link #interrupt}, then the workflow ends. */
  @SignalMethod
  void archive();

  @QueryMethod
  LoopState state();
}
