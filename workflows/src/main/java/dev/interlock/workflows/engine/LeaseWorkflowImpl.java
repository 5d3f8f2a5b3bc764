package dev.interlock.workflows.engine;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

public class LeaseWorkflowImpl implements LeaseWorkflow {

  private static final Logger log = Workflow.getLogger(LeaseWorkflowImpl.class);

  /** Continue as new after this many heartbeats even if Temporal does not suggest it yet. */
  static final int HEARTBEATS_PER_RUN = 500;
  /**
   * The shortest wait before checking the store again when it holds a later deadline than
   * the timer's (clocks of Temporal and PostgreSQL differ by a few milliseconds).
   */
  static final Duration MIN_RECHECK = Duration.ofMillis(100);

  /** The store is the lease's record: retried until it answers, however long that takes. */
  private final LeaseActivities store = Workflow.newActivityStub(LeaseActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofMillis(200))
              .setMaximumInterval(Duration.ofSeconds(30))
              .build())
          .build());

  private int heartbeats;
  private int heartbeatsSeen;
  private LeaseEnd ended;

  @Override
  public LeaseEnd run(LeaseRequest request) {
    long deadline = Workflow.currentTimeMillis() + Math.max(0, request.remainingMillis());
    int heartbeatsThisRun = 0;
    while (true) {
      long wait = deadline - Workflow.currentTimeMillis();
      if (wait > 0) {
        Workflow.await(Duration.ofMillis(wait),
            () -> ended != null || heartbeats > heartbeatsSeen);
      }
      if (ended != null) {
        return ended;
      }
      if (heartbeats > heartbeatsSeen) {
        heartbeatsThisRun += heartbeats - heartbeatsSeen; // several may come in one task
        heartbeatsSeen = heartbeats;
        deadline = Workflow.currentTimeMillis() + request.leaseMillis();
        if (heartbeatsThisRun >= HEARTBEATS_PER_RUN
            || Workflow.getInfo().isContinueAsNewSuggested()) {
          Workflow.continueAsNew(new LeaseRequest(request.dispatchId(), request.issueId(),
              request.leaseMillis(), deadline - Workflow.currentTimeMillis()));
        }
        continue;
      }
      LapseResult result = store.lapse(request);
      if (LapseResult.EXTENDED.equals(result.status())) {
        deadline = Workflow.currentTimeMillis()
            + Math.max(result.remainingMillis(), MIN_RECHECK.toMillis());
        continue;
      }
      if (LapseResult.LAPSED.equals(result.status())) {
        log.info("lease {} of issue {} lapsed (issue returned to the queue: {})",
            request.dispatchId(), request.issueId(), result.returnedToQueue());
        return new LeaseEnd(LeaseEnd.LAPSED);
      }
      return new LeaseEnd(LeaseEnd.ENDED);
    }
  }

  @Override
  public void heartbeat(LeaseHeartbeat heartbeat) {
    heartbeats++;
  }

  @Override
  public void complete(LeaseEnd end) {
    if (ended == null) {
      ended = end == null ? new LeaseEnd(LeaseEnd.COMPLETED) : end;
    }
  }
}
