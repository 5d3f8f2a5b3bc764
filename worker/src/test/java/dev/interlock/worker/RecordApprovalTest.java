package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.Approval;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.store.TestDatabase;
import dev.interlock.workflows.ApprovalRecord;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import dev.interlock.workflows.TransitionRecord;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Approvals towards a quorum in the store: each one short of the quorum is an approval row,
 * an audit event and a notification for live pages; the last one is recorded with the
 * transition that settles the interrupt. Names go where people read, ids beside them.
 */
class RecordApprovalTest {

  private static final Instant FIRST_AT = Instant.parse("2026-03-01T11:55:00.250Z");
  private static final Instant SECOND_AT = Instant.parse("2026-03-01T11:58:00.500Z");

  private static Jdbi jdbi;
  private static Interrupts interrupts;
  private static InterruptActivitiesImpl activities;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(RecordApprovalTest.class);
    interrupts = new Interrupts(jdbi);
    activities = ActivityHarness.newImpl(jdbi, new CallbackTargetGuard(true), Clock.systemUTC());
  }

  private static ApprovalRecord first(String id) {
    return new ApprovalRecord(id, "user:a", "alice", FIRST_AT.toEpochMilli(), "fine by me", 1, 2);
  }

  /** The approval that makes a quorum of two, as the workflow projects it. */
  private static TransitionRecord second(String id) {
    return new TransitionRecord(id, new InterruptState(InterruptStatus.APPROVED,
        Decision.APPROVED, "ship it", null, "bob", SECOND_AT.toEpochMilli(), "decide-b", null,
        "user:b", List.of("user:a", "user:b")));
  }

  @Test
  void givenQuorumOfTwo_whenTheFirstApproves_thenRecordedAndStillPending() {
    String id = interrupts.pendingQuorum("owner-1", 2, List.of("finance"));

    assertThat(activities.recordApproval(first(id))).isEqualTo("pending");

    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.requiredApprovals()).isEqualTo(2);
    assertThat(row.reviewers()).containsExactly("finance");
    assertThat(row.approvals()).containsExactly(new Approval("user:a", "alice", FIRST_AT));
    assertThat(interrupts.events(id)).singleElement().satisfies(event -> {
      assertThat(event.event()).isEqualTo(InterruptActivitiesImpl.APPROVAL_EVENT);
      assertThat(event.actor()).isEqualTo("alice");
      assertThat(event.details()).isEqualTo(json(
          "{\"approvals\":1,\"required\":2,\"actorId\":\"user:a\",\"reason\":\"fine by me\"}"));
    });
  }

  @Test
  void givenARecordedApproval_whenRecordedAgain_thenNothingMoreIsWritten() {
    String id = interrupts.pendingQuorum("owner-1", 2, List.of());
    activities.recordApproval(first(id));

    assertThat(activities.recordApproval(first(id))).isEqualTo("pending");

    assertThat(interrupts.row(id).approvals()).hasSize(1);
    assertThat(interrupts.events(id)).hasSize(1);
  }

  @Test
  void givenOneApproval_whenTheSecondSettlesIt_thenApprovedByTheSecondWithBothApprovalsKept() {
    String id = interrupts.pendingQuorum("owner-1", 2, List.of());
    activities.recordApproval(first(id));

    assertThat(activities.projectTransition(second(id))).isEqualTo("approved");

    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("approved");
    assertThat(row.decidedBy()).isEqualTo("bob");
    assertThat(row.decidedById()).isEqualTo("user:b");
    assertThat(row.reason()).isEqualTo("ship it");
    assertThat(row.approvals()).containsExactly(new Approval("user:a", "alice", FIRST_AT),
        new Approval("user:b", "bob", SECOND_AT));
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly(InterruptActivitiesImpl.APPROVAL_EVENT, "approved");
    assertThat(interrupts.events(id, "approved")).singleElement().satisfies(event -> {
      assertThat(event.actor()).isEqualTo("bob");
      assertThat(event.details()).isEqualTo(
          json("{\"reason\":\"ship it\",\"actorId\":\"user:b\",\"approvals\":2}"));
    });
    // A retried projection changes nothing.
    InterruptRow before = interrupts.row(id);
    activities.projectTransition(second(id));
    assertThat(interrupts.row(id)).isEqualTo(before);
    assertThat(interrupts.events(id)).hasSize(2);
  }

  @Test
  void givenExpiredInterrupt_whenAnApprovalArrives_thenExpiredIsAnsweredAndNothingWritten() {
    String id = interrupts.pendingQuorum("owner-1", 2, List.of());
    jdbi.useHandle(h -> InterruptSql.project(h, id, "expired", null, null, null,
        "system:expiry", "system:expiry", Instant.now(), null, null, null));

    assertThat(activities.recordApproval(first(id))).isEqualTo("expired");

    assertThat(interrupts.row(id).approvals()).isEmpty();
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("expired");
  }

  @Test
  void givenListener_whenAnApprovalIsRecorded_thenLivePagesHearItAndDecisionWaitersDoNot()
      throws Exception {
    String id = interrupts.pendingQuorum("owner-1", 2, List.of());
    try (Connection listener = TestDatabase.server().dataSource().getConnection()) {
      try (Statement s = listener.createStatement()) {
        s.execute("listen " + InterruptSql.CHANNEL);
        s.execute("listen " + InterruptSql.APPROVAL_CHANNEL);
      }

      activities.recordApproval(first(id));

      PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(5000);
      assertThat(notifications).isNotNull();
      assertThat(Arrays.stream(notifications)).singleElement().satisfies(n -> {
        assertThat(n.getName()).isEqualTo(InterruptSql.APPROVAL_CHANNEL);
        assertThat(n.getParameter()).isEqualTo(id);
      });
    }
  }

  @Test
  void givenApproval_whenRecordedThroughTemporal_thenItSurvivesTheDataConverter() {
    String id = interrupts.pendingQuorum("owner-1", 3, List.of());

    try (ActivityHarness harness =
        ActivityHarness.start(jdbi, new CallbackTargetGuard(true), Clock.systemUTC())) {
      assertThat(harness.activities().recordApproval(first(id))).isEqualTo("pending");
    }

    assertThat(interrupts.row(id).approvals()).extracting(Approval::approver)
        .containsExactly("alice");
  }
}
