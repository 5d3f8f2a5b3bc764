package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.store.InterruptDao;
import dev.interlock.store.InterruptSql;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.FailureType;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import dev.interlock.workflows.TransitionRecord;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

class RecordTransitionTest {

  private static final Instant DECIDED_AT = Instant.parse("2026-03-01T11:59:30.123Z");

  private static Jdbi jdbi;
  private static Interrupts interrupts;

  // Called directly: recordTransition needs no activity context, and a serialization problem
  // must not hide the projection's behaviour (the round trip has its own test below).
  private static InterruptActivitiesImpl activities;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(RecordTransitionTest.class);
    interrupts = new Interrupts(jdbi);
    activities = ActivityHarness.newImpl(jdbi, new CallbackTargetGuard(true), Clock.systemUTC());
  }

  private static TransitionRecord approval(String id) {
    return new TransitionRecord(id, new InterruptState(InterruptStatus.APPROVED, Decision.APPROVED,
        "looks fine", json("{\"amount\":1}"), "ops key", DECIDED_AT.toEpochMilli(), "decide-k1",
        null, "key:k1", List.of("key:k1")));
  }

  private static TransitionRecord expiry(String id) {
    return new TransitionRecord(id, new InterruptState(InterruptStatus.EXPIRED, null, null, null,
        "system:expiry", DECIDED_AT.plusSeconds(60).toEpochMilli(), null, null, "system:expiry",
        List.of()));
  }

  @Test
  void givenPendingInterrupt_whenApprovalRecorded_thenRowCarriesTheDecision() {
    String id = interrupts.pending("owner-1", null);

    activities.recordTransition(approval(id));

    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("approved");
    assertThat(row.decision()).isEqualTo("approved");
    assertThat(row.reason()).isEqualTo("looks fine");
    assertThat(row.modifiedParams()).isEqualTo(json("{\"amount\":1}"));
    // The name a person reads, and beside it the id that stays when the name changes.
    assertThat(row.decidedBy()).isEqualTo("ops key");
    assertThat(row.decidedById()).isEqualTo("key:k1");
    assertThat(row.decidedAt()).isEqualTo(DECIDED_AT);
    // One approval settles it: no approval row.
    assertThat(row.approvals()).isEmpty();
  }

  @Test
  void givenPendingInterrupt_whenApprovalRecorded_thenOneAuditEventWithReasonAndParams() {
    String id = interrupts.pending("owner-1", null);

    activities.recordTransition(approval(id));

    assertThat(interrupts.events(id)).singleElement().satisfies(event -> {
      assertThat(event.event()).isEqualTo("approved");
      assertThat(event.actor()).isEqualTo("ops key");
      assertThat(event.details()).isEqualTo(json(
          "{\"reason\":\"looks fine\",\"modifiedParams\":{\"amount\":1},\"actorId\":\"key:k1\"}"));
    });
  }

  @Test
  void givenPendingInterrupt_whenExpiryRecorded_thenNoDecisionAndTheSystemAsActor() {
    String id = interrupts.pending("owner-1", null);

    activities.recordTransition(expiry(id));

    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("expired");
    assertThat(row.decision()).isNull();
    assertThat(row.decidedBy()).isEqualTo("system:expiry");
    assertThat(row.decidedById()).isEqualTo("system:expiry");
    assertThat(interrupts.events(id)).singleElement().satisfies(event -> {
      assertThat(event.event()).isEqualTo("expired");
      assertThat(event.actor()).isEqualTo("system:expiry");
      assertThat(event.details()).isEqualTo(json("{\"actorId\":\"system:expiry\"}"));
    });
  }

  @Test
  void givenTransitionAlreadyRecorded_whenRecordedAgain_thenNoSecondEvent() {
    String id = interrupts.pending("owner-1", null);
    activities.recordTransition(approval(id));
    InterruptRow before = interrupts.row(id);

    activities.recordTransition(approval(id));

    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("approved");
    assertThat(interrupts.row(id)).isEqualTo(before);
  }

  @Test
  void givenApproved_whenDifferentTransitionRecorded_thenNothingChanges() {
    String id = interrupts.pending("owner-1", null);
    activities.recordTransition(approval(id));
    InterruptRow before = interrupts.row(id);

    activities.recordTransition(expiry(id));

    assertThat(interrupts.row(id)).isEqualTo(before);
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("approved");
  }

  @Test
  void givenUnknownInterruptId_whenTransitionRecorded_thenNonRetryableUnknownInterrupt() {
    String unknown = UUID.randomUUID().toString();

    assertThatThrownBy(() -> activities.recordTransition(approval(unknown)))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(FailureType.UNKNOWN_INTERRUPT.name());
          assertThat(failure.isNonRetryable()).isTrue();
        });
    assertThat(interrupts.events(unknown)).isEmpty();
  }

  @Test
  void givenApproval_whenRecordedThroughTemporal_thenTransitionSurvivesTheDataConverter() {
    String id = interrupts.pending("owner-1", null);

    try (ActivityHarness harness =
        ActivityHarness.start(jdbi, new CallbackTargetGuard(true), Clock.systemUTC())) {
      harness.activities().recordTransition(approval(id));
    }

    assertThat(interrupts.row(id).status()).isEqualTo("approved");
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("approved");
  }

  @Test
  void givenListener_whenTransitionRecorded_thenOneNotificationCarriesTheId() throws Exception {
    String id = interrupts.pending("owner-1", null);
    try (Connection listener = TestDatabase.server().dataSource().getConnection()) {
      listen(listener);

      activities.recordTransition(approval(id));

      PGNotification[] notifications =
          listener.unwrap(PGConnection.class).getNotifications(5000);
      assertThat(notifications).isNotNull();
      assertThat(Arrays.stream(notifications))
          .singleElement()
          .satisfies(n -> {
            assertThat(n.getName()).isEqualTo(InterruptSql.CHANNEL);
            assertThat(n.getParameter()).isEqualTo(id);
          });
    }
  }

  @Test
  void givenTransitionAlreadyRecorded_whenRecordedAgain_thenNoSecondNotification()
      throws Exception {
    String id = interrupts.pending("owner-1", null);
    activities.recordTransition(approval(id));
    try (Connection listener = TestDatabase.server().dataSource().getConnection()) {
      listen(listener);

      activities.recordTransition(approval(id));

      PGNotification[] notifications =
          listener.unwrap(PGConnection.class).getNotifications(500);
      assertThat(notifications == null ? new PGNotification[0] : notifications).isEmpty();
    }
  }

  private static void listen(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute("listen " + InterruptSql.CHANNEL);
    }
  }
}
