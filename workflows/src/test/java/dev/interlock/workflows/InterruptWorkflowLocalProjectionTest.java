package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static dev.interlock.workflows.InterruptHarness.writeHistory;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transitions are projected by a local activity (no activity task through the service),
 * recorded behind a version marker so that older histories replay. With
 * {@code -Dinterlock.writeHistories=DIR} the histories of these runs are written to DIR, which
 * is how the committed {@code histories/*-local.json} files were made
 * ({@link InterruptHarness#writeHistory}).
 */
class InterruptWorkflowLocalProjectionTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenDecision_whenProjected_thenByALocalActivityBehindTheVersionMarker() throws Exception {
    InterruptWorkflow workflow = harness.startPending(true);
    InterruptState decided = workflow.decide(approve());
    assertThat(resultOf(workflow)).isEqualTo(decided);

    WorkflowExecutionHistory history = harness.history(workflow);
    assertProjectedLocally(history);
    assertThat(activities.transitions()).containsExactly(decided);
    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
    writeHistory("interrupt-decide-callback-project.json", history);
  }

  @Test
  void givenExpiry_whenProjected_thenByALocalActivityToo() throws Exception {
    InterruptWorkflow workflow = harness.start(InterruptRequest.fresh(harness.nextId(),
        harness.now() + 60_000, true));
    InterruptState expired = resultOf(workflow);
    assertThat(expired.status()).isEqualTo(InterruptStatus.EXPIRED);

    WorkflowExecutionHistory history = harness.history(workflow);
    assertProjectedLocally(history);
    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
    writeHistory("interrupt-expiry-callback-project.json", history);
  }

  private static void assertProjectedLocally(WorkflowExecutionHistory history) {
    List<HistoryEvent> events = history.getEvents();
    assertThat(events)
        .filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
        .extracting(HistoryEvent::toString)
        .anyMatch(s -> s.contains(InterruptWorkflowImpl.LOCAL_PROJECTION_CHANGE))
        .anyMatch(s -> s.contains("ProjectTransition"));
    // No projection activity task went through the service; the callback still did.
    assertThat(events)
        .filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .extracting(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .containsExactly("DeliverCallback");
  }
}
