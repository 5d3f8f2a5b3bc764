package dev.interlock.workflows.loop;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class TurnWorkflowImpl implements TurnWorkflow {

  /**
   * How long the agent's activity may go without a heartbeat before the turn counts its
   * runner as lost (the worker died: the agent's process went with it).
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(30);
  /** The longest a turn may run, choices awaited included (loopat sets no deadline). */
  static final Duration LONGEST_TURN = Duration.ofDays(365);

  private final LoopActivities store = Workflow.newActivityStub(LoopActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofMillis(200))
              .setMaximumInterval(Duration.ofSeconds(30))
              .build())
          .build());

  private final LoopActivities agent = Workflow.newActivityStub(LoopActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(LONGEST_TURN)
          .setHeartbeatTimeout(HEARTBEAT)
          // An agent's work is not repeatable (it may have run commands): never again.
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          // The turn ends once the agent's process has stopped, not before.
          .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
          .build());

  @Override
  public TurnOutcome run(TurnInput input) {
    TurnOutcome outcome;
    try {
      if (!store.startTurn(input)) {
        return TurnOutcome.interrupted(); // ended while it was queued
      }
      outcome = agent.runAgent(input);
    } catch (CanceledFailure e) {
      outcome = TurnOutcome.interrupted();
    } catch (ActivityFailure e) {
      outcome = outcome(e);
    }
    TurnOutcome end = outcome;
    // Recorded even when the turn was cancelled: the cancellation is what ends it.
    Workflow.newDetachedCancellationScope(
        () -> store.finishTurn(new TurnEnd(input.loopId(), input.turnId(), end))).run();
    return end;
  }

  private static TurnOutcome outcome(ActivityFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof CanceledFailure) {
      return TurnOutcome.interrupted();
    }
    if (cause instanceof TimeoutFailure
        || (cause instanceof ApplicationFailure lost && "RunnerLost".equals(lost.getType()))) {
      return TurnOutcome.error("runner_lost",
          "The worker running the agent stopped during the turn; the turn cannot resume"
              + " (the agent may already have acted), so it ends here. Send the message"
              + " again to retry.");
    }
    String message = cause instanceof ApplicationFailure app ? app.getOriginalMessage()
        : String.valueOf(cause == null ? e.getMessage() : cause.getMessage());
    return TurnOutcome.error("agent_error", message);
  }
}
