package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.TWO_DAYS_MILLIS;
import static dev.interlock.workflows.InterruptHarness.approveAs;
import static dev.interlock.workflows.InterruptHarness.assertRejected;
import static dev.interlock.workflows.InterruptHarness.assertRejectedAsNotPending;
import static dev.interlock.workflows.InterruptHarness.rejectAs;
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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interrupts that need several approvals: each approval short of the quorum is recorded and
 * leaves the interrupt pending; the last one settles it; the first rejection settles it at
 * once; nobody counts twice.
 */
class InterruptWorkflowQuorumTest {

  @RegisterExtension static final TestWorkflowExtension temporal = InterruptHarness.extension();

  static final String RECORD_APPROVAL_MARKER = "IlJlY29yZEFwcHJvdmFsIg";

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenTwoRequired_whenTheFirstApproves_thenStillPendingWithOneApprovalRecorded() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);

    InterruptState afterFirst = workflow.decide(approveAs("alice", "user:a"));

    assertThat(afterFirst.status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(afterFirst.approverIds()).containsExactly("user:a");
    assertThat(workflow.state().approverIds()).containsExactly("user:a");
    assertThat(activities.approvals()).singleElement().satisfies(a -> {
      assertThat(a.approverId()).isEqualTo("user:a");
      assertThat(a.approver()).isEqualTo("alice");
      assertThat(a.reason()).isEqualTo("fine by alice");
      assertThat(a.approvals()).isEqualTo(1);
      assertThat(a.requiredApprovals()).isEqualTo(2);
    });
    assertThat(activities.transitions()).isEmpty();
  }

  @Test
  void givenTwoOfThreeReviewers_whenASecondPersonApproves_thenApprovedByTheSecond() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);
    workflow.decide(approveAs("alice", "user:a"));

    InterruptState settled = workflow.decide(approveAs("bob", "user:b"));

    assertThat(settled.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(settled.decision()).isEqualTo(Decision.APPROVED);
    assertThat(settled.actor()).isEqualTo("bob");
    assertThat(settled.actorId()).isEqualTo("user:b");
    assertThat(settled.reason()).isEqualTo("fine by bob");
    assertThat(settled.approverIds()).containsExactly("user:a", "user:b");
    assertThat(activities.transitions()).containsExactly(settled);
    assertThat(activities.activityNames()).containsExactly("recordApproval", "projectTransition");
    assertThat(resultOf(workflow)).isEqualTo(settled);
  }

  @Test
  void givenThreeRequired_whenThreePeopleApprove_thenTwoRecordedAndTheThirdSettles() {
    InterruptWorkflow workflow = harness.startQuorum(3, false);

    assertThat(workflow.decide(approveAs("alice", "user:a")).status())
        .isEqualTo(InterruptStatus.PENDING);
    assertThat(workflow.decide(approveAs("bob", "user:b")).status())
        .isEqualTo(InterruptStatus.PENDING);
    InterruptState settled = workflow.decide(approveAs("carol", "user:c"));

    assertThat(settled.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(settled.actor()).isEqualTo("carol");
    assertThat(activities.approvals()).extracting(ApprovalRecord::approvals).containsExactly(1, 2);
  }

  @Test
  void givenOneApproval_whenTheSameApproverApprovesAgain_thenRefusedAsAlreadyApproved() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);
    workflow.decide(approveAs("alice", "user:a"));

    // The same person under another name (a renamed key, say) is still the same approver.
    assertRejected(() -> workflow.decide(approveAs("alice renamed", "user:a")),
        AlreadyApproved.class, "You have already approved this interrupt");

    assertThat(workflow.state().status()).isEqualTo(InterruptStatus.PENDING);
    assertThat(workflow.state().approverIds()).containsExactly("user:a");
    assertThat(activities.approvals()).hasSize(1);
    // Still decidable by someone else.
    assertThat(workflow.decide(approveAs("bob", "user:b")).status())
        .isEqualTo(InterruptStatus.APPROVED);
  }

  @Test
  void givenOneApproval_whenSomeoneRejects_thenRejectedAtOnce() {
    InterruptWorkflow workflow = harness.startQuorum(3, true);
    workflow.decide(approveAs("alice", "user:a"));

    InterruptState rejected = workflow.decide(rejectAs("bob", "user:b"));

    assertThat(rejected.status()).isEqualTo(InterruptStatus.REJECTED);
    assertThat(rejected.actor()).isEqualTo("bob");
    assertThat(rejected.actorId()).isEqualTo("user:b");
    assertThat(rejected.approverIds()).containsExactly("user:a");
    assertThat(resultOf(workflow)).isEqualTo(rejected);
    assertThat(activities.activityNames())
        .containsExactly("recordApproval", "projectTransition", "deliverCallback");
  }

  @Test
  void givenNoApprovalYet_whenTheFirstDecisionIsARejection_thenRejected() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);
    assertThat(workflow.decide(rejectAs("alice", "user:a")).status())
        .isEqualTo(InterruptStatus.REJECTED);
    assertThat(activities.approvals()).isEmpty();
  }

  @Test
  void givenPartlyApproved_whenItExpires_thenExpiredWithTheApprovalsKept() {
    InterruptWorkflow workflow = harness.startQuorum(2, true);
    workflow.decide(approveAs("alice", "user:a"));

    InterruptState expired = resultOf(workflow);

    assertThat(expired.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(expired.actor()).isEqualTo("system:expiry");
    assertThat(expired.actorId()).isEqualTo("system:expiry");
    assertThat(expired.approverIds()).containsExactly("user:a");
    assertThat(activities.activityNames())
        .containsExactly("recordApproval", "projectTransition", "deliverCallback");
  }

  @Test
  void givenPartlyApproved_whenCancelled_thenCancelled() {
    // A held callback keeps the workflow open, so the later update meets its validator.
    activities.holdCallbacks();
    InterruptWorkflow workflow = harness.startQuorum(2, true);
    workflow.decide(approveAs("alice", "user:a"));

    InterruptState cancelled = workflow.cancel(new CancelCommand("agent one", "moot", "key:k9"));

    assertThat(cancelled.status()).isEqualTo(InterruptStatus.CANCELLED);
    assertThat(cancelled.actorId()).isEqualTo("key:k9");
    assertRejectedAsNotPending(() -> workflow.decide(approveAs("bob", "user:b")),
        "Interrupt is already cancelled");
    activities.openCallbacks();
    assertThat(resultOf(workflow)).isEqualTo(cancelled);
  }

  @Test
  void givenStoreExpiredFirst_whenAnApprovalIsRecorded_thenNotPendingAndTheWorkflowTakesTheExpiry() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);
    activities.storeHolds(InterruptStatus.EXPIRED.wire());

    assertRejectedAsNotPending(() -> workflow.decide(approveAs("alice", "user:a")),
        "Interrupt is already expired");

    InterruptState state = resultOf(workflow);
    assertThat(state.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(state.approverIds()).as("the store recorded no approval").isEmpty();
  }

  @Test
  void givenApprovalsRecordedBeforeARecovery_whenTheWorkflowIsRecreated_thenTheyStillCount() {
    // Recovery re-creates the workflow of a pending interrupt from the store, with the
    // approvals the store holds.
    InterruptWorkflow workflow = harness.start(new InterruptRequest(harness.nextId(),
        harness.now() + TWO_DAYS_MILLIS, false, null, false, 2, List.of("user:a")));

    assertRejected(() -> workflow.decide(approveAs("alice", "user:a")),
        AlreadyApproved.class, "You have already approved this interrupt");
    InterruptState settled = workflow.decide(approveAs("bob", "user:b"));

    assertThat(settled.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(settled.approverIds()).containsExactly("user:a", "user:b");
    assertThat(activities.approvals()).isEmpty();
  }

  @Test
  void givenARoutingPolicyAskingForTwo_whenOnePersonApproves_thenStillPending() {
    activities.policiesDecide(PolicyOutcome.toHuman(List.of("finance", "alice"), 2));
    InterruptWorkflow workflow = harness.start(new InterruptRequest(harness.nextId(),
        harness.now() + TWO_DAYS_MILLIS, false, null, true, 1, List.of()));
    assertThat(workflow.settled().status()).isEqualTo(InterruptStatus.PENDING);

    assertThat(workflow.decide(approveAs("alice", "user:a")).status())
        .isEqualTo(InterruptStatus.PENDING);
    assertThat(workflow.decide(approveAs("bob", "user:b")).status())
        .isEqualTo(InterruptStatus.APPROVED);
    assertThat(activities.approvals()).singleElement()
        .satisfies(a -> assertThat(a.requiredApprovals()).isEqualTo(2));
  }

  @Test
  void givenARoutingPolicyAskingForFewerThanTheCreate_whenEvaluated_thenTheCreatesCountStands() {
    activities.policiesDecide(PolicyOutcome.toHuman(null, 1));
    InterruptWorkflow workflow = harness.start(new InterruptRequest(harness.nextId(),
        harness.now() + TWO_DAYS_MILLIS, false, null, true, 2, List.of()));
    workflow.settled();

    assertThat(workflow.decide(approveAs("alice", "user:a")).status())
        .isEqualTo(InterruptStatus.PENDING);
  }

  @Test
  void givenTwoOfTwoWithCallback_whenReplayedFromItsHistory_thenDeterministic() throws Exception {
    InterruptWorkflow workflow = harness.startQuorum(2, true);
    workflow.decide(approveAs("alice", "user:a"));
    InterruptState settled = workflow.decide(approveAs("bob", "user:b"));
    assertThat(resultOf(workflow)).isEqualTo(settled);

    WorkflowExecutionHistory history = harness.history(workflow);
    // The local activity's type, "RecordApproval", as its marker holds it (base64 JSON).
    assertThat(history.toJson(false)).contains(RECORD_APPROVAL_MARKER);
    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
    writeHistory("interrupt-quorum-approve-callback.json", history);
  }

  @Test
  void givenLongWaitBetweenApprovals_whenTheSecondComesBeforeExpiry_thenApproved() {
    InterruptWorkflow workflow = harness.startQuorum(2, false);
    workflow.decide(approveAs("alice", "user:a"));
    harness.sleep(Duration.ofDays(1));

    assertThat(workflow.decide(approveAs("bob", "user:b")).status())
        .isEqualTo(InterruptStatus.APPROVED);
  }
}
