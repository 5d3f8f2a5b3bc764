package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Policies evaluated inside the workflow before a person sees the interrupt. */
class InterruptWorkflowPolicyTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  private InterruptWorkflow startWithPolicies() {
    return harness.start(new InterruptRequest(harness.nextId(), harness.now() + 3_600_000L, false,
        null, true, 1, null));
  }

  @Test
  void givenAutoApprovePolicy_whenSettled_thenAlreadyApprovedByThePolicy() {
    activities.policiesDecide(new PolicyOutcome(Decision.APPROVED, "policy:low-risk", "Auto-approved",
        "policy:p-1", null, null));
    InterruptWorkflow workflow = startWithPolicies();

    InterruptState settled = workflow.settled();

    assertThat(settled.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(settled.actor()).isEqualTo("policy:low-risk");
    assertThat(settled.actorId()).isEqualTo("policy:p-1");
    assertThat(settled.reason()).isEqualTo("Auto-approved");
    assertThat(activities.activityNames()).containsExactly("evaluatePolicies", "projectTransition");
    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.APPROVED);
  }

  @Test
  void givenAutoDenyPolicy_whenSettled_thenRejected() {
    activities.policiesDecide(new PolicyOutcome(Decision.REJECTED, "policy:no-deletes", "Denied",
        "policy:p-2", null, null));
    InterruptState settled = startWithPolicies().settled();
    assertThat(settled.status()).isEqualTo(InterruptStatus.REJECTED);
    assertThat(settled.decision()).isEqualTo(Decision.REJECTED);
  }

  @Test
  void givenNoMatchingPolicy_whenSettled_thenStillPendingAndAPersonDecides() {
    InterruptWorkflow workflow = startWithPolicies();
    assertThat(workflow.settled().status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(workflow.decide(approve("by hand", null)).status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(activities.activityNames()).containsExactly("evaluatePolicies", "projectTransition");
  }

  @Test
  void givenNoPolicies_whenSettled_thenAnswersAtOnceWithoutEvaluating() {
    InterruptWorkflow workflow = harness.startPending(false);
    assertThat(workflow.settled().status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(activities.activityNames()).doesNotContain("evaluatePolicies");
  }
}
