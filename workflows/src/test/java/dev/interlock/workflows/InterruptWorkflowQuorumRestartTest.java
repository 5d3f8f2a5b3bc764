package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.approveAs;
import static dev.interlock.workflows.InterruptHarness.assertRejected;
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

/**
 * The quorum's count lives in the workflow, so it must come back from the history alone: on
 * a worker without a workflow cache every task starts from a replay, as after a restart.
 */
class InterruptWorkflowQuorumRestartTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = InterruptHarness.extensionWithoutCache();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenApprovalsOnAWorkerThatForgetsEveryWorkflow_whenTheQuorumIsReached_thenApproved() {
    InterruptWorkflow workflow = harness.startQuorum(3, true);

    workflow.decide(approveAs("alice", "user:a"));
    // Replayed from the history: alice counts, and counts once.
    assertRejected(() -> workflow.decide(approveAs("alice", "user:a")),
        AlreadyApproved.class, "You have already approved this interrupt");
    assertThat(workflow.decide(approveAs("bob", "user:b")).status())
        .isEqualTo(InterruptStatus.PENDING);
    InterruptState settled = workflow.decide(approveAs("carol", "user:c"));

    assertThat(settled.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(settled.approverIds()).containsExactly("user:a", "user:b", "user:c");
    assertThat(resultOf(workflow)).isEqualTo(settled);
    assertThat(activities.approvals()).extracting(ApprovalRecord::approverId)
        .containsExactly("user:a", "user:b");
  }
}
