package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.InterruptEventRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.workflows.CallbackFailure;
import dev.interlock.workflows.InterruptActivities;
import java.time.Clock;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RecordCallbackFailedTest {

  private static Jdbi jdbi;
  private static Interrupts interrupts;
  private static ActivityHarness harness;
  private static InterruptActivities activities;

  @BeforeAll
  static void start() {
    jdbi = TestDatabase.freshSchema(RecordCallbackFailedTest.class);
    interrupts = new Interrupts(jdbi);
    harness = ActivityHarness.start(jdbi, new CallbackTargetGuard(true), Clock.systemUTC());
    activities = harness.activities();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void givenCallbackPending_whenRecordedFailed_thenStateFailedWithAuditEvent() {
    String id = interrupts.pending("owner-1", "https://hooks.example.com/cb");

    activities.recordCallbackFailed(new CallbackFailure(id, "answered HTTP 500"));

    assertThat(interrupts.row(id).callbackState()).isEqualTo("failed");
    assertThat(interrupts.events(id)).singleElement().satisfies(event -> {
      assertThat(event.event()).isEqualTo("callback.failed");
      assertThat(event.actor()).isEqualTo("system:callback");
      assertThat(event.details()).isEqualTo(Interrupts.json("{\"reason\":\"answered HTTP 500\"}"));
    });
  }

  @Test
  void givenCallbackFailedRecorded_whenRecordedAgain_thenNoSecondEvent() {
    String id = interrupts.pending("owner-1", "https://hooks.example.com/cb");
    activities.recordCallbackFailed(new CallbackFailure(id, "first"));

    activities.recordCallbackFailed(new CallbackFailure(id, "second"));

    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event)
        .containsExactly("callback.failed");
    assertThat(interrupts.events(id).get(0).details().get("reason").asText()).isEqualTo("first");
  }

  @Test
  void givenCallbackDelivered_whenRecordedFailed_thenNothingChanges() {
    String id = interrupts.pending("owner-1", "https://hooks.example.com/cb");
    interrupts.setCallbackState(id, "delivered");

    activities.recordCallbackFailed(new CallbackFailure(id, "late give-up"));

    assertThat(interrupts.row(id).callbackState()).isEqualTo("delivered");
    assertThat(interrupts.events(id)).isEmpty();
  }

  @Test
  void givenNoCallback_whenRecordedFailed_thenNothingChanges() {
    String id = interrupts.pending("owner-1", null);

    activities.recordCallbackFailed(new CallbackFailure(id, "nothing owed"));

    assertThat(interrupts.row(id).callbackState()).isEqualTo("none");
    assertThat(interrupts.events(id)).isEmpty();
  }

  @Test
  void givenUnknownInterrupt_whenRecordedFailed_thenNoFailure() {
    String unknown = UUID.randomUUID().toString();

    activities.recordCallbackFailed(new CallbackFailure(unknown, "gone"));

    assertThat(interrupts.events(unknown)).isEmpty();
  }
}
