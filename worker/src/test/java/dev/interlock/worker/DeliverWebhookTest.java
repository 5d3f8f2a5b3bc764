package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.store.TestDatabase;
import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.worker.webhook.WebhookActivitiesImpl;
import dev.interlock.worker.webhook.WebhookSigner;
import dev.interlock.workflows.DeliveryRequest;
import dev.interlock.workflows.WebhookActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook deliveries go where the guard looked, exactly like callbacks. */
class DeliverWebhookTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private static final String SECRET = "whsec_test";

  private static Jdbi jdbi;

  private CallbackReceiver receiver;
  private TestActivityEnvironment env;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(DeliverWebhookTest.class);
  }

  @BeforeEach
  void start() {
    receiver = CallbackReceiver.start();
    env = TestActivityEnvironment.newInstance();
  }

  @AfterEach
  void stop() {
    env.close();
    receiver.close();
  }

  private WebhookActivities activities(CallbackTargetGuard guard) {
    env.registerActivitiesImplementations(new WebhookActivitiesImpl(jdbi, Interrupts.JSON,
        ActivityHarness.OUTBOUND, guard, CLOCK, Duration.ofSeconds(5)));
    return env.newActivityStub(WebhookActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(20))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  /** A pending delivery of a webhook whose URL is {@code url}. */
  private static String pendingDelivery(String url) {
    String webhookId = UUID.randomUUID().toString();
    String deliveryId = UUID.randomUUID().toString();
    jdbi.useExtension(WebhookDao.class, dao -> {
      dao.insert(webhookId, "owner-webhooks", url, new String[] {"request.approved"}, SECRET);
      dao.insertDelivery(deliveryId, webhookId, "owner-webhooks", "request.approved", null,
          json("{\"event\":\"request.approved\"}"), null);
    });
    return deliveryId;
  }

  @Test
  void givenNameThatRebindsToLoopbackAfterTheCheck_whenDelivered_thenLoopbackReceivesNothing() {
    var rebinding = new ScriptedResolver("rebind.example.test", "93.184.216.34", "127.0.0.1");
    String id = pendingDelivery(receiver.url("rebind.example.test"));
    WebhookActivities activities = activities(new CallbackTargetGuard(false, rebinding));

    assertThatThrownBy(() -> activities.deliverWebhook(new DeliveryRequest(id)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.getType()).isEqualTo("CALLBACK_FAILED");
          assertThat(f.isNonRetryable()).isFalse();
        });

    assertThat(receiver.received()).isEmpty();
    assertThat(rebinding.lookups()).isEqualTo(1);
    List<WebhookAttemptRow> attempts = jdbi.withExtension(WebhookDao.class, dao -> dao.attempts(id));
    assertThat(attempts).singleElement().satisfies(attempt -> {
      assertThat(attempt.outcome()).isEqualTo("failed");
      assertThat(attempt.error()).contains("93.184.216.34");
    });
  }

  @Test
  void givenNameResolvingToTheReceiver_whenDelivered_thenPostedThereUnderTheName() {
    var resolver = new ScriptedResolver("hooks.example.test", "127.0.0.1");
    String id = pendingDelivery(receiver.url("hooks.example.test"));

    activities(new CallbackTargetGuard(true, resolver)).deliverWebhook(new DeliveryRequest(id));

    assertThat(receiver.received()).singleElement().satisfies(request -> {
      assertThat(request.header("Host")).isEqualTo("hooks.example.test:" + receiver.port());
      assertThat(request.header("X-AgentGate-Delivery")).isEqualTo(id);
      assertThat(request.header(WebhookSigner.SIGNATURE)).isEqualTo(WebhookSigner.signature(
          SECRET, request.header(WebhookSigner.TIMESTAMP), request.body()));
    });
    WebhookDeliveryRow delivery =
        jdbi.withExtension(WebhookDao.class, dao -> dao.findDelivery(id)).orElseThrow();
    assertThat(delivery.state()).isEqualTo("delivered");
  }

  @Test
  void givenWebhookSwitchedOffAfterTheEvent_whenDelivered_thenGivenUpAndNothingSent() {
    var resolver = new ScriptedResolver("off.example.test", "127.0.0.1");
    String id = pendingDelivery(receiver.url("off.example.test"));
    jdbi.useHandle(h -> h.createUpdate("update webhooks set enabled = false where id ="
        + " (select webhook_id from webhook_deliveries where id = :id)").bind("id", id).execute());

    activities(new CallbackTargetGuard(true, resolver)).deliverWebhook(new DeliveryRequest(id));

    assertThat(receiver.received()).isEmpty();
    WebhookDeliveryRow delivery =
        jdbi.withExtension(WebhookDao.class, dao -> dao.findDelivery(id)).orElseThrow();
    assertThat(delivery.state()).isEqualTo("failed");
    List<WebhookAttemptRow> attempts = jdbi.withExtension(WebhookDao.class, dao -> dao.attempts(id));
    assertThat(attempts).singleElement()
        .satisfies(a -> assertThat(a.error()).isEqualTo("webhook disabled"));
  }
}
