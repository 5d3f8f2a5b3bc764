package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.TWO_DAYS_MILLIS;
import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A decision that reaches the workflow in its first workflow task, before {@code run} has
 * started: with update-with-start, or when no worker was polling when the interrupt was
 * created. The SDK runs update validators before the workflow method, so whatever state the
 * validators read must be set in a {@code @WorkflowInit} constructor, not in {@code run}.
 */
class InterruptWorkflowFirstTaskTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private WorkflowClient client;
  private WorkflowOptions options;
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    this.client = client;
    this.options = options;
    // Workers are started by each test, so that a test can act before any task is polled.
    harness = new InterruptHarness(env, worker, client, options, activities);
  }

  @Test
  void givenNoWorkerPollingWhenCreated_whenDecidedBeforeTheFirstTask_thenTheDecisionIsAccepted()
      throws Exception {
    InterruptWorkflow workflow = harness.startPending(false);
    CompletableFuture<InterruptState> decided =
        CompletableFuture.supplyAsync(
            () ->
                WorkflowStub.fromTyped(workflow)
                    .startUpdate("decide", WorkflowUpdateStage.ACCEPTED, InterruptState.class, approve())
                    .getResult());
    // Give the update time to reach the server, so that it is part of the first task.
    Thread.sleep(500);

    harness.startWorkers();

    assertThat(decided).succeedsWithin(Duration.ofSeconds(10));
    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(activities.calls())
        .singleElement()
        .satisfies(c -> assertThat(((TransitionRecord) c.argument()).interruptId()).isNotNull());
    // Had the update come after the first task, this test would pass without testing anything.
    List<EventType> events = harness.history(workflow).getEvents().stream()
        .map(HistoryEvent::getEventType).toList();
    int accepted = events.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    assertThat(accepted).as("update accepted").isPositive();
    assertThat(events.subList(0, accepted))
        .as("workflow tasks completed before the update was accepted")
        .filteredOn(type -> type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        .hasSize(1);
  }

  @Test
  void givenNewInterrupt_whenDecidedWithStart_thenTheDecisionIsAccepted() {
    harness.startWorkers();
    String id = harness.nextId();
    InterruptWorkflow workflow =
        client.newWorkflowStub(
            InterruptWorkflow.class,
            WorkflowOptions.newBuilder(options)
                .setWorkflowId(InterruptWorkflow.workflowId(id))
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .build());

    InterruptState decided =
        WorkflowClient.executeUpdateWithStart(
            workflow::decide,
            approve(),
            UpdateOptions.<InterruptState>newBuilder()
                .setWaitForStage(WorkflowUpdateStage.COMPLETED)
                .build(),
            new WithStartWorkflowOperation<>(
                workflow::run, InterruptRequest.fresh(id, harness.now() + TWO_DAYS_MILLIS, false)));

    assertThat(decided.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(activities.calls())
        .singleElement()
        .isEqualTo(new RecordingActivities.Call("projectTransition", new TransitionRecord(id, decided)));
  }
}
