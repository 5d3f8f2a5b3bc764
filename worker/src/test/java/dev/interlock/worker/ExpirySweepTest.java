package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.store.NewInterrupt;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.WebhookDao;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import dev.interlock.workflows.TransitionRecord;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The expiry sweep against a real PostgreSQL: due interrupts become expired exactly as the
 * workflow would project it, in batches, once; what is not due is left alone; and a
 * decision projected after the sweep finds the expiry and says so instead of overwriting it.
 */
class ExpirySweepTest {

  private Jdbi jdbi;
  private Interrupts interrupts;
  private ExpirySweep sweep;
  private InterruptActivitiesImpl activities;

  @BeforeEach
  void schema() {
    // A schema per test: the sweep expires every due row it can see.
    jdbi = TestDatabase.freshSchema(ExpirySweepTest.class);
    interrupts = new Interrupts(jdbi);
    sweep = new ExpirySweep(jdbi, new WebhookEvents(TestRenderings.INSTANCE, Clock.systemUTC()), null);
    activities = ActivityHarness.newImpl(jdbi, new CallbackTargetGuard(true), Clock.systemUTC());
  }

  /** A pending interrupt of owner-1 expiring at {@code expiresAt}. */
  private String pendingUntil(Instant expiresAt) {
    String id = UUID.randomUUID().toString();
    var row = new NewInterrupt(id, "owner-1", "loopin", "agent-1", "user-1", "Send payment",
        "high", Instant.now().minusSeconds(60), expiresAt, null, null, null, null,
        java.util.List.of(), 1);
    jdbi.useHandle(h -> InterruptSql.insertCreated(h, row, json("{}"), null, null, "key:test",
        null).orElseThrow());
    return id;
  }

  private static TransitionRecord approval(String id) {
    return new TransitionRecord(id, new InterruptState(InterruptStatus.APPROVED, Decision.APPROVED,
        "just in time", null, "agent one", Instant.now().toEpochMilli(), "decide-1", null,
        "key:k1", java.util.List.of("key:k1")));
  }

  @Test
  void givenDueInterrupt_whenSwept_thenExpiredAtItsDeadlineBySystemWithOneEvent() {
    Instant deadline = Instant.now().minusMillis(1500);
    String id = pendingUntil(deadline);

    assertThat(sweep.expireDue(100)).isEqualTo(1);

    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("expired");
    assertThat(row.decision()).isNull();
    assertThat(row.decidedBy()).isEqualTo("system:expiry");
    assertThat(row.decidedById()).isEqualTo("system:expiry");
    assertThat(row.decidedAt()).isEqualTo(row.expiresAt());
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("expired");
    assertThat(sweep.expireDue(100)).isZero();
    assertThat(interrupts.events(id)).hasSize(1);
  }

  @Test
  void givenInterruptNotYetDue_whenSwept_thenLeftPending() {
    String future = pendingUntil(Instant.now().plus(Duration.ofMinutes(5)));

    assertThat(sweep.expireDue(100)).isZero();

    assertThat(interrupts.row(future).status()).isEqualTo("pending");
  }

  @Test
  void givenMoreDueThanABatch_whenSwept_thenBatchesUntilNoneLeft() {
    for (int i = 0; i < 5; i++) {
      pendingUntil(Instant.now().minusSeconds(10 - i));
    }
    assertThat(List.of(sweep.expireDue(2), sweep.expireDue(2), sweep.expireDue(2),
        sweep.expireDue(2))).containsExactly(2, 2, 1, 0);
  }

  @Test
  void givenListener_whenSwept_thenEachExpiryIsAnnouncedWithItsId() throws Exception {
    String a = pendingUntil(Instant.now().minusSeconds(2));
    String b = pendingUntil(Instant.now().minusSeconds(1));
    try (Connection listener = TestDatabase.server().dataSource().getConnection()) {
      try (Statement s = listener.createStatement()) {
        s.execute("listen " + InterruptSql.CHANNEL);
      }
      sweep.expireDue(100);
      PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(5000);
      assertThat(got).isNotNull();
      assertThat(Arrays.stream(got).map(PGNotification::getParameter)).contains(a, b);
    }
  }

  @Test
  void givenSweptInterrupt_whenADecisionIsProjectedAfter_thenStoreKeepsTheExpiryAndSaysSo() {
    String id = pendingUntil(Instant.now().minusMillis(5));
    sweep.expireDue(100);

    String stored = activities.projectTransition(approval(id));

    assertThat(stored).isEqualTo("expired");
    assertThat(interrupts.row(id).status()).isEqualTo("expired");
    assertThat(interrupts.row(id).decision()).isNull();
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("expired");
  }

  @Test
  void givenSweptInterrupt_whenTheWorkflowsOwnExpiryIsProjected_thenNothingChanges() {
    String id = pendingUntil(Instant.now().minusMillis(5));
    sweep.expireDue(100);
    InterruptRow before = interrupts.row(id);

    String stored = activities.projectTransition(new TransitionRecord(id, new InterruptState(
        InterruptStatus.EXPIRED, null, null, null, "system:expiry",
        Instant.now().toEpochMilli(), null, null, "system:expiry", null)));

    assertThat(stored).isEqualTo("expired");
    assertThat(interrupts.row(id)).isEqualTo(before);
    assertThat(interrupts.events(id)).hasSize(1);
  }

  @Test
  void givenDecisionProjectedFirst_whenSwept_thenTheDecisionStands() {
    String id = pendingUntil(Instant.now().minusMillis(5));
    assertThat(activities.projectTransition(approval(id))).isEqualTo("approved");

    assertThat(sweep.expireDue(100)).isZero();

    assertThat(interrupts.row(id).status()).isEqualTo("approved");
  }

  @Test
  void givenWebhookForExpiries_whenSwept_thenOneDeliveryEnqueued_andNotAgainByTheWorkflow() {
    jdbi.useExtension(WebhookDao.class, dao -> dao.insert("wh_1", "owner-1",
        "https://hooks.example/expired", new String[] {"request.expired"}, "s3cret"));
    String id = pendingUntil(Instant.now().minusMillis(5));

    sweep.expireDue(100);
    activities.projectTransition(new TransitionRecord(id, new InterruptState(
        InterruptStatus.EXPIRED, null, null, null, "system:expiry",
        Instant.now().toEpochMilli(), null, null, "system:expiry", null)));

    List<String> events = jdbi.withHandle(h -> h.createQuery(
            "select event from webhook_deliveries where interrupt_id = cast(:id as uuid)")
        .bind("id", id).mapTo(String.class).list());
    assertThat(events).containsExactly("request.expired");
  }
}
