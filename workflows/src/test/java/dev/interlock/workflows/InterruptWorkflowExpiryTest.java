package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.TWO_DAYS_MILLIS;
import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.assertRejectedAsNotPending;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Expiry of a pending interrupt, and decisions that race it. Time is skipped, not waited. */
class InterruptWorkflowExpiryTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private TestWorkflowEnvironment env;
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    this.env = env;
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenPendingInterrupt_whenItsExpiryPasses_thenWorkflowExpiresWithASystemTransition() {
    long expiresAt = harness.now() + TWO_DAYS_MILLIS;
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, false));

    env.sleep(Duration.ofDays(2).minusMinutes(1));
    assertThat(workflow.state().status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(activities.calls()).isEmpty();

    env.sleep(Duration.ofMinutes(2));
    InterruptState result = resultOf(workflow);

    assertThat(result.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(result.actor()).isEqualTo("system:expiry");
    assertThat(result.decision()).isNull();
    assertThat(result.decidedAtMillis()).isGreaterThanOrEqualTo(expiresAt);
    assertThat(activities.transitions()).containsExactly(result);
    assertThat(activities.count("deliverCallback")).isZero();
  }

  @Test
  void givenExpiredAndCompletedInterrupt_whenDecided_thenTemporalReportsTheWorkflowAsNotFound() {
    InterruptWorkflow workflow = harness.startPending(false);
    env.sleep(Duration.ofDays(3));
    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.EXPIRED);

    // An update to a closed workflow never reaches a validator: the server answers NOT_FOUND,
    // which the client raises as WorkflowNotFoundException (not WorkflowUpdateException).
    assertThatThrownBy(() -> workflow.decide(approve()))
        .isInstanceOf(WorkflowNotFoundException.class);
    assertThat(activities.transitions()).hasSize(1);
  }

  @Test
  void givenExpiringInterruptWithCallback_whenItExpires_thenCallbackIsDeliveredAfterTheTransition() {
    InterruptWorkflow workflow = harness.startPending(true);

    InterruptState result = resultOf(workflow);

    assertThat(result.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(activities.activityNames()).containsExactly("projectTransition", "deliverCallback");
  }

  @Test
  void givenInterruptAboutToExpire_whenDecidedJustBefore_thenTheDecisionWins() {
    long expiresAt = harness.now() + TWO_DAYS_MILLIS;
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, false));
    env.sleep(Duration.ofDays(2).minusSeconds(30));

    InterruptState decided = workflow.decide(approve());
    env.sleep(Duration.ofMinutes(5));

    assertThat(decided.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(decided.decidedAtMillis()).isLessThan(expiresAt);
    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(activities.transitions()).containsExactly(decided);
  }

  @Test
  void givenInterruptWhoseExpiryHasPassed_whenDecided_thenRejectedAsExpired() {
    // The expiry is already due when the workflow starts, so it fires at once; the held
    // callback keeps the workflow open so that the decision meets the validator.
    activities.holdCallbacks();
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), harness.now() - 1_000L, true));

    assertRejectedAsNotPending(() -> workflow.decide(approve()), "Interrupt is already expired");

    assertThat(workflow.state().status()).isEqualTo(InterruptStatus.EXPIRED);
    activities.openCallbacks();
    InterruptState result = resultOf(workflow);
    assertThat(result.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(activities.transitions()).singleElement().isEqualTo(result);
  }
}
