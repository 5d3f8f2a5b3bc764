package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.assertRejectedAsNotPending;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static dev.interlock.workflows.InterruptHarness.writeHistory;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store's expiry sweep marks an interrupt expired at its deadline, so readers see it at
 * once, before the workflow's own timer is processed. A decision the workflow accepted just
 * before the deadline but projected after the sweep finds the row expired: the workflow then
 * adopts the expiry, the update fails as "not pending", and no reader ever sees the
 * interrupt go from expired to decided. Here the activities play the store that says so.
 */
class InterruptWorkflowStoreExpiryTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenStoreExpiredFirst_whenDecisionIsProjected_thenUpdateFailsAndWorkflowEndsExpired()
      throws Exception {
    long expiresAt = harness.now() + InterruptHarness.TWO_DAYS_MILLIS;
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, true));
    activities.storeHolds(InterruptStatus.EXPIRED.wire());

    assertRejectedAsNotPending(() -> workflow.decide(approve()), "Interrupt is already expired");

    InterruptState result = resultOf(workflow);
    assertThat(result.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(result.actor()).isEqualTo("system:expiry");
    assertThat(result.decision()).isNull();
    assertThat(result.decidedAtMillis()).isEqualTo(expiresAt);
    // One projection (the decision the store refused), then the callback with the expiry.
    assertThat(activities.activityNames()).containsExactly("projectTransition", "deliverCallback");

    WorkflowExecutionHistory history = harness.history(workflow);
    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
    writeHistory("interrupt-decide-store-expired-callback.json", history);
  }

  @Test
  void givenStoreExpiredFirst_whenCancelIsProjected_thenCancelFailsAsNotPending() {
    InterruptWorkflow workflow = harness.startPending(false);
    activities.storeHolds(InterruptStatus.EXPIRED.wire());

    assertRejectedAsNotPending(() -> workflow.cancel(new CancelCommand("agent one", "no longer needed", "key:k1")),
        "Interrupt is already expired");

    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.EXPIRED);
  }

  @Test
  void givenStoreExpiredFirst_whenAPolicyDecides_thenTheInterruptStaysExpired() {
    activities.policiesDecide(
        new PolicyOutcome(Decision.APPROVED, "policy:low-risk", "Auto-approved",
            "policy:p-1", null, null));
    activities.storeHolds(InterruptStatus.EXPIRED.wire());
    InterruptWorkflow workflow = harness.start(new InterruptRequest(harness.nextId(),
        harness.now() + 3_600_000L, false, null, true, 1, null));

    assertThat(workflow.settled().status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(resultOf(workflow).actor()).isEqualTo("system:expiry");
  }

  @Test
  void givenStoreAgrees_whenDecided_thenTheDecisionStands() {
    InterruptWorkflow workflow = harness.startPending(false);
    assertThat(workflow.decide(approve()).status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.APPROVED);
  }
}
