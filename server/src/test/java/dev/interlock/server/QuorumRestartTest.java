package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.model.Approval;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.errors.Conflict;
import dev.interlock.workflows.Decision;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quorum across a restart on the same data directory. The embedded Temporal forgets every
 * workflow, so the wait is re-created from PostgreSQL, with the approvals already given:
 * they still count, and their approvers still cannot approve again.
 */
class QuorumRestartTest {

  @TempDir Path data;

  @Test
  void givenOneOfTwoApprovals_whenRestarted_thenTheSecondApproverSettlesIt() {
    String id;
    try (TestApp first = new TestApp(data).start()) {
      id = first.interrupts().create(QuorumTest.ALICE, QuorumTest.payment(2)).interrupt().id();
      InterruptRow partly = first.interrupts().decide(QuorumTest.ALICE, id, Decision.APPROVED,
          "fine", null, null);
      assertThat(partly.status()).isEqualTo("pending");
    }

    try (TestApp second = new TestApp(data).start()) {
      assertThatThrownBy(() -> second.interrupts().decide(QuorumTest.ALICE, id,
          Decision.APPROVED, null, null, null))
          .isInstanceOf(Conflict.class).hasMessage("You have already approved this interrupt");

      InterruptRow settled = second.interrupts().decide(QuorumTest.BOB, id, Decision.APPROVED,
          "ship it", null, null);

      assertThat(settled.status()).isEqualTo("approved");
      assertThat(settled.decidedBy()).isEqualTo("bob's key");
      assertThat(settled.decidedById()).isEqualTo("key:k-bob");
      assertThat(settled.approvals()).extracting(Approval::approverId)
          .containsExactly("key:k-alice", "key:k-bob");
    }
  }
}
