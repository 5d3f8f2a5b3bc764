package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.ACTOR;
import static dev.interlock.workflows.InterruptHarness.TWO_DAYS_MILLIS;
import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Delivery of the outcome callback: retries, giving up, and resuming an undelivered one. */
class InterruptWorkflowCallbackTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenCallbackFailingThreeTimes_whenDecided_thenItIsRetriedUntilDelivered() {
    activities.failCallbackAttempts(3);
    InterruptWorkflow workflow = harness.startPending(true);

    InterruptState decided = workflow.decide(approve());

    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(activities.count("deliverCallback")).isEqualTo(4);
    assertThat(activities.count("recordCallbackFailed")).isZero();
    assertThat(activities.transitions()).containsExactly(decided);
  }

  @Test
  void givenCallbackAlwaysFailing_whenTheRetryWindowPasses_thenFailureIsRecordedOnceAndWorkflowCompletes() {
    activities.failCallbackAlways("CALLBACK_FAILED");
    InterruptWorkflow workflow = harness.startPending(true);
    InterruptState decided = workflow.decide(approve());

    InterruptState result = resultOf(workflow);

    assertThat(result).isEqualTo(decided);
    long givenUpAfter =
        activities.scheduledAtMillis("recordCallbackFailed").get(0) - decided.decidedAtMillis();
    // Backoff is capped at 10 minutes, so the last attempt falls in the window's last 10.
    assertThat(Duration.ofMillis(givenUpAfter))
        .isBetween(
            OutboundRetry.WINDOW.minusMinutes(11),
            OutboundRetry.WINDOW.plusMinutes(1));
    assertThat(activities.count("deliverCallback")).isGreaterThan(100);
    assertThat(activities.callbackFailures())
        .singleElement()
        .satisfies(
            failure -> {
              assertThat(failure.interruptId()).isEqualTo(interruptIdOf(decided));
              assertThat(failure.reason()).isNotBlank();
            });
    assertThat(activities.activityNames()).last().isEqualTo("recordCallbackFailed");
  }

  @Test
  void givenForbiddenCallbackTarget_whenDecided_thenItIsNotRetriedAndTheFailureIsRecorded() {
    activities.failCallbackAlways(FailureType.CALLBACK_FORBIDDEN.name());
    InterruptWorkflow workflow = harness.startPending(true);
    InterruptState decided = workflow.decide(approve());

    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(activities.count("deliverCallback")).isEqualTo(1);
    assertThat(activities.callbackFailures())
        .singleElement()
        .satisfies(failure -> assertThat(failure.reason()).contains("CALLBACK_FORBIDDEN"));
  }

  @Test
  void givenResumeFromApprovedState_whenStarted_thenDeliversCallbackWithoutWaitingOrRecording() {
    InterruptState approved =
        new InterruptState(
            InterruptStatus.APPROVED, Decision.APPROVED, "ok", null, ACTOR,
            harness.now() - Duration.ofHours(1).toMillis(), null, null, InterruptHarness.ACTOR_ID,
            java.util.List.of(InterruptHarness.ACTOR_ID));
    long startedAt = harness.now();
    long expiresAt = startedAt + TWO_DAYS_MILLIS;
    String id = harness.nextId();

    InterruptWorkflow workflow = harness.start(new InterruptRequest(id, expiresAt, true, approved, false, 1, null));
    InterruptState result = resultOf(workflow);

    assertThat(result.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(result.decidedAtMillis()).isEqualTo(approved.decidedAtMillis());
    assertThat(result.actor()).isEqualTo(ACTOR);
    // Waiting for the expiry would have scheduled the delivery two days later.
    assertThat(activities.scheduledAtMillis("deliverCallback"))
        .singleElement()
        .satisfies(at -> assertThat(at).isLessThan(startedAt + Duration.ofMinutes(1).toMillis()));
    assertThat(activities.calls())
        .containsExactly(new RecordingActivities.Call("deliverCallback", new CallbackRequest(id)));
  }

  /** The fake records transitions with their ids; find the one this state was recorded under. */
  private String interruptIdOf(InterruptState state) {
    return activities.calls().stream()
        .filter(c -> c.argument() instanceof TransitionRecord t && t.state().equals(state))
        .map(c -> ((TransitionRecord) c.argument()).interruptId())
        .findFirst()
        .orElseThrow();
  }
}
