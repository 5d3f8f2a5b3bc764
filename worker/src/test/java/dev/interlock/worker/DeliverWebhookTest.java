package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.interlock.store.TestDatabase;
import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.worker.webhook.WebhookActivitiesImpl;
import dev.interlock.worker.webhook.WebhookSigner;
import dev.interlock.workflows.DeliveryRequest;
import dev.interlock.workflows.FailureType;
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
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    return pendingDelivery(url, "{\"event\":\"request.approved\"}");
  }

  private static String pendingDelivery(String url, String payload) {
    String webhookId = UUID.randomUUID().toString();
    String deliveryId = UUID.randomUUID().toString();
    jdbi.useExtension(WebhookDao.class, dao -> {
      dao.insert(webhookId, "owner-webhooks", url, new String[] {"request.approved"}, SECRET);
      dao.insertDelivery(deliveryId, webhookId, "owner-webhooks", "request.approved", null,
          json(payload), null);
    });
    return deliveryId;
  }

  private static WebhookDeliveryRow delivery(String id) {
    return jdbi.withExtension(WebhookDao.class, dao -> dao.findDelivery(id)).orElseThrow();
  }

  private static List<WebhookAttemptRow> attempts(String id) {
    return jdbi.withExtension(WebhookDao.class, dao -> dao.attempts(id));
  }

  /** The activity failed the way the workflow will see it: this type, retryable or not. */
  private static void assertFails(ThrowingCallable delivery, FailureType type,
      boolean nonRetryable) {
    assertThatThrownBy(delivery)
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.getType()).isEqualTo(type.name());
          assertThat(f.isNonRetryable()).isEqualTo(nonRetryable);
        });
  }

  @Test
  void givenNameThatRebindsToLoopbackAfterTheCheck_whenDelivered_thenLoopbackReceivesNothing() {
    var rebinding = new ScriptedResolver("rebind.example.test", "93.184.216.34", "127.0.0.1");
    String id = pendingDelivery(receiver.url("rebind.example.test"));
    WebhookActivities activities = activities(new CallbackTargetGuard(false, rebinding));

    assertFails(() -> activities.deliverWebhook(new DeliveryRequest(id)),
        FailureType.CALLBACK_FAILED, false);

    assertThat(receiver.received()).isEmpty();
    assertThat(rebinding.lookups()).isEqualTo(1);
    assertThat(attempts(id)).singleElement().satisfies(attempt -> {
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
    assertThat(delivery(id).state()).isEqualTo("delivered");
  }

  @Test
  void givenWebhookSwitchedOffAfterTheEvent_whenDelivered_thenGivenUpAndNothingSent() {
    var resolver = new ScriptedResolver("off.example.test", "127.0.0.1");
    String id = pendingDelivery(receiver.url("off.example.test"));
    jdbi.useHandle(h -> h.createUpdate("update webhooks set enabled = false where id ="
        + " (select webhook_id from webhook_deliveries where id = :id)").bind("id", id).execute());

    activities(new CallbackTargetGuard(true, resolver)).deliverWebhook(new DeliveryRequest(id));

    assertThat(receiver.received()).isEmpty();
    assertThat(delivery(id).state()).isEqualTo("failed");
    assertThat(attempts(id)).singleElement()
        .satisfies(a -> assertThat(a.error()).isEqualTo("webhook disabled"));
  }

  @Test
  void givenPendingDelivery_whenDelivered_thenReceiverGetsTheStoredPayloadSignedWithTheSecret() {
    String id = pendingDelivery(receiver.url(),
        "{\"requestId\":\"req_1\",\"event\":\"request.approved\"}");

    activities(new CallbackTargetGuard(true)).deliverWebhook(new DeliveryRequest(id));

    assertThat(receiver.received()).singleElement().satisfies(request -> {
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo(CallbackReceiver.PATH);
      // The payload as PostgreSQL keeps it (jsonb orders keys), written compactly.
      assertThat(request.body()).isEqualTo("{\"event\":\"request.approved\",\"requestId\":\"req_1\"}");
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.header("User-Agent")).isEqualTo("Interlock-Webhook/1");
      assertThat(request.header("X-AgentGate-Event")).isEqualTo("request.approved");
      assertThat(request.header("X-AgentGate-Delivery")).isEqualTo(id);
      assertThat(request.header(WebhookSigner.TIMESTAMP))
          .isEqualTo(Long.toString(CLOCK.instant().getEpochSecond()));
      // What a receiver computes, done outside Java:
      // printf '%s' "1772366400.$BODY" | openssl dgst -sha256 -hmac whsec_test
      assertThat(request.header(WebhookSigner.SIGNATURE)).isEqualTo(
          "sha256=7d58ae7945a53f499cb53b1b3872bd65ff18f90a70386a9f7cd6c06045b4814d");
    });
  }

  @Test
  void givenPendingDelivery_whenDelivered_thenTheAttemptIsRecordedAndTheDeliveryDelivered() {
    String id = pendingDelivery(receiver.url());

    activities(new CallbackTargetGuard(true)).deliverWebhook(new DeliveryRequest(id));

    assertThat(attempts(id)).singleElement().satisfies(attempt -> {
      assertThat(attempt.outcome()).isEqualTo("delivered");
      assertThat(attempt.httpStatus()).isEqualTo(200);
      assertThat(attempt.error()).isNull();
      assertThat(attempt.durationMs()).isNotNegative();
    });
    WebhookDeliveryRow delivery = delivery(id);
    assertThat(delivery.state()).isEqualTo("delivered");
    assertThat(delivery.attempts()).isEqualTo(1);
    assertThat(delivery.lastStatus()).isEqualTo(200);
    assertThat(delivery.deliveredAt()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 404, 410, 500, 503})
  void givenReceiverAnsweringNon2xx_whenDelivered_thenRetryableFailureRecordedAsAFailedAttempt(
      int status) {
    receiver.answering(status);
    String id = pendingDelivery(receiver.url());
    WebhookActivities activities = activities(new CallbackTargetGuard(true));

    assertFails(() -> activities.deliverWebhook(new DeliveryRequest(id)),
        FailureType.CALLBACK_FAILED, false);

    assertThat(receiver.received()).hasSize(1);
    assertThat(attempts(id)).singleElement().satisfies(attempt -> {
      assertThat(attempt.outcome()).isEqualTo("failed");
      assertThat(attempt.httpStatus()).isEqualTo(status);
    });
    WebhookDeliveryRow delivery = delivery(id);
    assertThat(delivery.state()).isEqualTo("pending");
    assertThat(delivery.attempts()).isEqualTo(1);
    assertThat(delivery.lastStatus()).isEqualTo(status);
    assertThat(delivery.deliveredAt()).isNull();
  }

  @Test
  void givenFailedAttempt_whenRetriedAndAnswered200_thenBothAttemptsRecordedAndDelivered() {
    String id = pendingDelivery(receiver.url());
    WebhookActivities activities = activities(new CallbackTargetGuard(true));
    receiver.answering(503);
    assertFails(() -> activities.deliverWebhook(new DeliveryRequest(id)),
        FailureType.CALLBACK_FAILED, false);

    receiver.answering(200);
    activities.deliverWebhook(new DeliveryRequest(id));

    assertThat(attempts(id)).extracting(WebhookAttemptRow::outcome, WebhookAttemptRow::httpStatus)
        .containsExactly(tuple("failed", 503), tuple("delivered", 200));
    WebhookDeliveryRow delivery = delivery(id);
    assertThat(delivery.state()).isEqualTo("delivered");
    assertThat(delivery.attempts()).isEqualTo(2);
    assertThat(delivery.lastStatus()).isEqualTo(200);
    assertThat(receiver.received()).extracting(CallbackReceiver.Received::body).hasSize(2)
        .containsOnly(receiver.received().get(0).body());
  }

  @Test
  void givenDeliveredDelivery_whenDeliveredAgain_thenNotResentNorRecordedAgain() {
    String id = pendingDelivery(receiver.url());
    WebhookActivities activities = activities(new CallbackTargetGuard(true));
    activities.deliverWebhook(new DeliveryRequest(id));

    activities.deliverWebhook(new DeliveryRequest(id));

    assertThat(receiver.received()).hasSize(1);
    assertThat(attempts(id)).hasSize(1);
    assertThat(delivery(id).attempts()).isEqualTo(1);
  }

  @Test
  void givenPrivateNetworksForbidden_whenTargetIsLoopback_thenNonRetryableBlockedAndNothingSent() {
    String id = pendingDelivery(receiver.url());
    WebhookActivities activities = activities(new CallbackTargetGuard(false));

    assertFails(() -> activities.deliverWebhook(new DeliveryRequest(id)),
        FailureType.CALLBACK_FORBIDDEN, true);

    assertThat(receiver.received()).isEmpty();
    assertThat(attempts(id)).singleElement().satisfies(attempt -> {
      assertThat(attempt.outcome()).isEqualTo("blocked");
      assertThat(attempt.httpStatus()).isNull();
      assertThat(attempt.error()).contains("private or local address");
    });
    assertThat(delivery(id).state()).isEqualTo("pending");
  }

  @Test
  void givenUnknownDeliveryId_whenDelivered_thenNonRetryableAndNothingSent() {
    String unknown = UUID.randomUUID().toString();
    WebhookActivities activities = activities(new CallbackTargetGuard(true));

    assertFails(() -> activities.deliverWebhook(new DeliveryRequest(unknown)),
        FailureType.UNKNOWN_INTERRUPT, true);

    assertThat(receiver.received()).isEmpty();
  }
}
