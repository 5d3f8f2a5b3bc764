package dev.interlock.workflows.loop;

import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

public class LoopWorkflowImpl implements LoopWorkflow {

  /** A loop without messages for this long lets its workflow end (loopat's idle sandbox). */
  static final Duration IDLE = Duration.ofMinutes(30);
  /** Continue as new after this many turns even if Temporal does not suggest it yet. */
  static final int TURNS_PER_RUN = 100;

  private final LoopActivities store = Workflow.newActivityStub(LoopActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofMillis(200))
              .setMaximumInterval(Duration.ofSeconds(30))
              .build())
          .build());

  private String loopId;
  private final List<TurnRef> queue = new ArrayList<>();
  private final List<String> drained = new ArrayList<>();
  private CancellationScope running;
  private boolean archived;

  @Override
  public void run(LoopState state) {
    loopId = state.loopId();
    queue.addAll(state.queue());
    queue.sort(Comparator.comparingInt(TurnRef::number));
    boolean cold = !state.warm();
    int turns = 0;
    while (true) {
      boolean woke = Workflow.await(IDLE,
          () -> !queue.isEmpty() || !drained.isEmpty() || archived);
      if (!drained.isEmpty()) {
        List<String> ended = List.copyOf(drained);
        drained.clear();
        store.endQueued(loopId, ended, TurnOutcome.interrupted());
        continue;
      }
      if (queue.isEmpty()) {
        if (!woke || archived) {
          return; // idle, or archived: the next message starts a new run
        }
        continue;
      }
      if (turns >= TURNS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.continueAsNew(new LoopState(loopId, queue, !cold));
      }
      TurnRef next = queue.remove(0);
      runTurn(new TurnInput(loopId, next.turnId(), cold));
      cold = false;
      turns++;
    }
  }

  private void runTurn(TurnInput input) {
    TurnWorkflow turn = Workflow.newChildWorkflowStub(TurnWorkflow.class,
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(TurnWorkflow.workflowId(input.turnId()))
            // The turn ends only once its agent has stopped and its end is recorded.
            .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
            // A loop workflow that continues as new is between turns; one terminated by
            // an operator takes its running turn with it.
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
            .build());
    running = Workflow.newCancellationScope(() -> {
      try {
        turn.run(input);
      } catch (ChildWorkflowFailure | CanceledFailure e) {
        // Interrupted: the turn recorded its own end before it completed.
      }
    });
    running.run();
    running = null;
  }

  @Override
  public void enqueue(TurnRef turn) {
    if (queue.stream().anyMatch(t -> t.turnId().equals(turn.turnId()))) {
      return; // a repeated signal (signal-with-start retried)
    }
    queue.add(turn);
    queue.sort(Comparator.comparingInt(TurnRef::number));
  }

  @Override
  public void interrupt() {
    if (running != null) {
      running.cancel("interrupted");
    }
    for (TurnRef t : queue) {
      drained.add(t.turnId());
    }
    queue.clear();
  }

  @Override
  public void archive() {
    archived = true;
    interrupt();
  }

  @Override
  public LoopState state() {
    return new LoopState(loopId, queue);
  }
}
