package dev.interlock.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One durable wait for one human decision. Pending until a decision, a cancel or expiry;
 * each transition is projected into the store before the call that caused it returns; then
 * the outcome callback, if any, is delivered.
 */
@WorkflowInterface
public interface InterruptWorkflow {

  String TASK_QUEUE = "interlock-interrupts";

  /** Workflow ids are derived from the interrupt id so the UI and the store line up. */
  static String workflowId(String interruptId) {
    return "interrupt-" + interruptId;
  }

  @WorkflowMethod
  InterruptState run(InterruptRequest request);

  /** Records a decision; the validator rejects it synchronously when not pending. */
  @UpdateMethod
  InterruptState decide(DecideCommand command);

  @UpdateValidatorMethod(updateName = "decide")
  void validateDecide(DecideCommand command);

  /** Withdraws the interrupt; rejected synchronously when not pending. */
  @UpdateMethod
  InterruptState cancel(CancelCommand command);

  @UpdateValidatorMethod(updateName = "cancel")
  void validateCancel(CancelCommand command);

  /**
   * Completes once the policies have had their say (at once for interrupts without
   * policies), with the state then: how a create call learns of an automatic decision.
   */
  @UpdateMethod
  InterruptState settled();

  @QueryMethod
  InterruptState state();
}
