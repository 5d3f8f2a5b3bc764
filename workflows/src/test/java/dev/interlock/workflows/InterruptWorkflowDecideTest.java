package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.ACTOR;
import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.assertRejected;
import static dev.interlock.workflows.InterruptHarness.assertRejectedAsNotPending;
import static dev.interlock.workflows.InterruptHarness.json;
import static dev.interlock.workflows.InterruptHarness.reject;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Decisions and cancels on a pending interrupt, and the validators that guard them. */
class InterruptWorkflowDecideTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenPendingInterruptWithoutCallback_whenApproved_thenUpdateReturnsApprovedStateAndWorkflowCompletes() {
    InterruptWorkflow workflow = harness.startPending(false);
    assertThat(workflow.state().status()).isEqualTo(InterruptStatus.PENDING);
    long before = harness.now();

    InterruptState decided = workflow.decide(approve("ship it", json("{\"amount\":5}")));

    assertThat(decided.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(decided.decision()).isEqualTo(Decision.APPROVED);
    assertThat(decided.reason()).isEqualTo("ship it");
    assertThat(decided.modifiedParams()).isEqualTo(json("{\"amount\":5}"));
    assertThat(decided.actor()).isEqualTo(ACTOR);
    assertThat(decided.actorId()).isEqualTo(InterruptHarness.ACTOR_ID);
    assertThat(decided.decidedAtMillis()).isBetween(before, harness.now());
    // Projected before the update returned: the store has the row when the caller hears back.
    assertThat(activities.transitions()).containsExactly(decided);
    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(activities.activityNames()).containsExactly("projectTransition");
  }

  @Test
  void givenPendingInterrupt_whenDecided_thenUpdateDoesNotReturnUntilTransitionIsRecorded() {
    activities.holdTransitions();
    InterruptWorkflow workflow = harness.startPending(false);

    CompletableFuture<InterruptState> decided =
        WorkflowStub.fromTyped(workflow)
            .startUpdate("decide", WorkflowUpdateStage.ACCEPTED, InterruptState.class, reject())
            .getResultAsync();

    assertThat(decided)
        .failsWithin(Duration.ofMillis(700))
        .withThrowableOfType(TimeoutException.class);
    assertThat(activities.transitions()).isEmpty();
    activities.openTransitions();
    assertThat(decided)
        .succeedsWithin(Duration.ofSeconds(10))
        .satisfies(state -> assertThat(activities.transitions()).containsExactly(state));
    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.REJECTED);
  }

  @Test
  void givenPendingInterruptWithCallback_whenRejected_thenCallbackIsDeliveredAfterTheTransition() {
    InterruptWorkflow workflow = harness.startPending(true);

    InterruptState decided = workflow.decide(reject());

    assertThat(decided.status()).isEqualTo(InterruptStatus.REJECTED);
    assertThat(decided.decision()).isEqualTo(Decision.REJECTED);
    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(activities.calls())
        .containsExactly(
            new RecordingActivities.Call(
                "projectTransition",
                new TransitionRecord(interruptIdOf(workflow), decided)),
            new RecordingActivities.Call(
                "deliverCallback", new CallbackRequest(interruptIdOf(workflow))));
  }

  @Test
  void givenApprovedInterrupt_whenDecidedAgain_thenSecondDecisionIsRejectedSynchronously() {
    // A held callback keeps the workflow open, so the second update meets its validator.
    activities.holdCallbacks();
    InterruptWorkflow workflow = harness.startPending(true);
    InterruptState approved = workflow.decide(approve());

    assertRejectedAsNotPending(() -> workflow.decide(reject()), "Interrupt is already approved");
    assertRejectedAsNotPending(
        () -> workflow.cancel(new CancelCommand("agent one", "never mind", "key:a1")),
        "Interrupt is already approved");

    assertThat(workflow.state()).isEqualTo(approved);
    activities.openCallbacks();
    assertThat(resultOf(workflow)).isEqualTo(approved);
    assertThat(activities.transitions()).containsExactly(approved);
  }

  @Test
  void givenPendingInterrupt_whenCancelled_thenStateIsCancelledAndALaterDecisionIsRejected() {
    activities.holdCallbacks();
    InterruptWorkflow workflow = harness.startPending(true);

    InterruptState cancelled = workflow.cancel(new CancelCommand("agent one", "no longer needed", "key:a1"));

    assertThat(cancelled.status()).isEqualTo(InterruptStatus.CANCELLED);
    assertThat(cancelled.decision()).isNull();
    assertThat(cancelled.reason()).isEqualTo("no longer needed");
    assertThat(cancelled.actor()).isEqualTo("agent one");
    assertThat(cancelled.actorId()).isEqualTo("key:a1");
    assertThat(cancelled.decidedAtMillis()).isPositive();
    assertRejectedAsNotPending(() -> workflow.decide(approve()), "Interrupt is already cancelled");
    activities.openCallbacks();
    assertThat(resultOf(workflow)).isEqualTo(cancelled);
    assertThat(activities.transitions()).containsExactly(cancelled);
    assertThat(activities.count("deliverCallback")).isEqualTo(1);
  }

  @Test
  void givenPendingInterrupt_whenDecideHasNoDecision_thenRejectedAsInvalidAndStillPending() {
    InterruptWorkflow workflow = harness.startPending(false);

    assertRejected(
        () -> workflow.decide(new DecideCommand(null, "?", null, ACTOR, null, null)),
        InvalidCommand.class,
        "decision is required");

    // Compared field by field: a null JsonNode comes back from the data converter as NullNode.
    InterruptState state = workflow.state();
    assertThat(state.status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(state.decidedAtMillis()).isZero();
    assertThat(activities.calls()).isEmpty();
    // Still decidable after a rejected command.
    assertThat(workflow.decide(approve()).status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(activities.transitions()).hasSize(1);
  }

  private static String interruptIdOf(InterruptWorkflow workflow) {
    String workflowId = WorkflowStub.fromTyped(workflow).getExecution().getWorkflowId();
    assertThat(workflowId).startsWith("interrupt-");
    return workflowId.substring("interrupt-".length());
  }
}
