package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.workflows.CallbackRequest;
import dev.interlock.workflows.FailureType;
import dev.interlock.workflows.InterruptActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeliverCallbackTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant DECIDED_AT = Instant.parse("2026-03-01T11:59:30.123Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static Jdbi jdbi;
  private static Interrupts interrupts;

  private CallbackReceiver receiver;
  private ActivityHarness harness;
  private InterruptActivities activities;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(DeliverCallbackTest.class);
    interrupts = new Interrupts(jdbi);
  }

  @BeforeEach
  void start() {
    receiver = CallbackReceiver.start();
    harness = ActivityHarness.start(jdbi, new CallbackTargetGuard(true), CLOCK);
    activities = harness.activities();
  }

  @AfterEach
  void stop() {
    harness.close();
    receiver.close();
  }

  /** An approved interrupt of {@code owner} whose callback goes to the test's receiver. */
  private String approvedWithCallback(String owner) {
    String id = interrupts.pending(owner, receiver.url());
    interrupts.approve(id, "looks fine", json("{\"amount\":1}"), "key:k1", DECIDED_AT);
    return id;
  }

  private static Consumer<ApplicationFailure> failure(String type, boolean nonRetryable) {
    return f -> {
      assertThat(f.getType()).isEqualTo(type);
      assertThat(f.isNonRetryable()).isEqualTo(nonRetryable);
    };
  }

  private static String hmacSha256Hex(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void givenApprovedInterrupt_whenDelivered_thenReceiverGetsTheOutcomeAsJsonPost() {
    String id = approvedWithCallback("owner-body");

    activities.deliverCallback(new CallbackRequest(id));

    assertThat(receiver.received()).singleElement().satisfies(request -> {
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo(CallbackReceiver.PATH);
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.header("X-Interlock-Interrupt-Id")).isEqualTo(id);
      assertThat(request.header("X-Interlock-Attempt")).matches("\\d+");
      assertThat(json(request.body())).isEqualTo(json("""
          {"interruptId": "%s", "status": "approved", "decision": "approved",
           "decidedAt": "2026-03-01T11:59:30.123Z", "reason": "looks fine",
           "modifiedParams": {"amount": 1}}
          """.formatted(id)));
    });
  }

  @Test
  void givenApprovedInterrupt_whenDelivered_thenSignatureVerifiesWithOwnersSecret()
      throws Exception {
    String owner = "owner-signature";
    String id = approvedWithCallback(owner);

    activities.deliverCallback(new CallbackRequest(id));

    CallbackReceiver.Received request = receiver.received().get(0);
    String header = request.header(CallbackSigner.HEADER);
    String secret = new CallbackSecrets(jdbi).forOwner(owner);
    assertThat(CallbackSigner.verify(secret, header, request.body())).isTrue();
    // Recomputed here from the documented scheme, so a change to the signer cannot
    // silently change what receivers have to check.
    long t = NOW.getEpochSecond();
    assertThat(header).isEqualTo(
        "t=" + t + ",v1=" + hmacSha256Hex(secret, t + "." + request.body()));
    assertThat(CallbackSigner.verify(new CallbackSecrets(jdbi).forOwner("another-owner"), header,
        request.body())).isFalse();
  }

  @Test
  void givenApprovedInterrupt_whenDelivered_thenStateDeliveredAndAttemptAudited() {
    String id = approvedWithCallback("owner-audit");

    activities.deliverCallback(new CallbackRequest(id));

    assertThat(interrupts.row(id).callbackState()).isEqualTo("delivered");
    // TestActivityEnvironment reports attempt 0 (a real server counts from 1); what matters
    // is that the receiver and the audit trail see the same number.
    String attemptHeader = receiver.received().get(0).header("X-Interlock-Attempt");
    assertThat(interrupts.events(id, "callback.attempt")).singleElement().satisfies(event -> {
      assertThat(event.actor()).isEqualTo("system:callback");
      assertThat(event.details().get("attempt").asText()).isEqualTo(attemptHeader);
      assertThat(event.details().get("outcome").asText()).isEqualTo("delivered");
      assertThat(event.details().get("httpStatus").asInt()).isEqualTo(200);
      assertThat(event.details().has("error")).isFalse();
    });
  }

  @Test
  void givenReceiverAnswers500_whenDelivered_thenRetryableFailureAndStateStaysPending() {
    String id = approvedWithCallback("owner-500");
    receiver.answering(500);

    assertThatThrownBy(() -> activities.deliverCallback(new CallbackRequest(id)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure("CALLBACK_FAILED", false));

    assertThat(receiver.received()).hasSize(1);
    assertThat(interrupts.row(id).callbackState()).isEqualTo("pending");
    assertThat(interrupts.events(id, "callback.attempt")).singleElement().satisfies(event -> {
      assertThat(event.details().get("outcome").asText()).isEqualTo("failed");
      assertThat(event.details().get("httpStatus").asInt()).isEqualTo(500);
    });
  }

  @Test
  void givenReceiverUnreachable_whenDelivered_thenRetryableFailureWithTheErrorAudited() {
    String url = receiver.url();
    receiver.close(); // nothing listens on the port any more: connection refused
    String id = interrupts.pending("owner-unreachable", url);
    interrupts.approve(id, null, null, "key:k1", DECIDED_AT);

    assertThatThrownBy(() -> activities.deliverCallback(new CallbackRequest(id)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure("CALLBACK_FAILED", false));

    assertThat(interrupts.row(id).callbackState()).isEqualTo("pending");
    assertThat(interrupts.events(id, "callback.attempt")).singleElement().satisfies(event -> {
      assertThat(event.details().get("outcome").asText()).isEqualTo("failed");
      assertThat(event.details().has("httpStatus")).isFalse();
      assertThat(event.details().get("error").asText()).isNotBlank();
    });
  }

  @Test
  void givenCallbackDelivered_whenDeliveredAgain_thenNotResent() {
    String id = approvedWithCallback("owner-once");
    activities.deliverCallback(new CallbackRequest(id));

    activities.deliverCallback(new CallbackRequest(id));

    assertThat(receiver.received()).hasSize(1);
    assertThat(interrupts.events(id, "callback.attempt")).hasSize(1);
    assertThat(interrupts.row(id).callbackState()).isEqualTo("delivered");
  }

  @Test
  void givenPrivateNetworksForbidden_whenTargetIsLoopback_thenNonRetryableAndNothingSent() {
    String id = approvedWithCallback("owner-ssrf");

    try (ActivityHarness guarded =
        ActivityHarness.start(jdbi, new CallbackTargetGuard(false), CLOCK)) {
      assertThatThrownBy(() -> guarded.activities().deliverCallback(new CallbackRequest(id)))
          .isInstanceOf(ActivityFailure.class)
          .cause()
          .isInstanceOfSatisfying(ApplicationFailure.class,
              failure(FailureType.CALLBACK_FORBIDDEN.name(), true));
    }

    assertThat(receiver.received()).isEmpty();
    assertThat(interrupts.row(id).callbackState()).isEqualTo("pending");
    assertThat(interrupts.events(id, "callback.attempt")).singleElement().satisfies(event -> {
      assertThat(event.details().get("outcome").asText()).isEqualTo("blocked");
      assertThat(event.details().get("error").asText()).contains("private or local address");
    });
  }

  @Test
  void givenNoCallbackUrl_whenDelivered_thenNothingIsSentOrRecorded() {
    String id = interrupts.pending("owner-none", null);
    interrupts.approve(id, null, null, "key:k1", DECIDED_AT);

    activities.deliverCallback(new CallbackRequest(id));

    assertThat(receiver.received()).isEmpty();
    assertThat(interrupts.row(id).callbackState()).isEqualTo("none");
    assertThat(interrupts.events(id)).extracting(InterruptEventRow::event).isEmpty();
  }

  @Test
  void givenUnknownInterruptId_whenDelivered_thenNonRetryableUnknownInterrupt() {
    String unknown = UUID.randomUUID().toString();

    assertThatThrownBy(() -> activities.deliverCallback(new CallbackRequest(unknown)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(ApplicationFailure.class,
            failure(FailureType.UNKNOWN_INTERRUPT.name(), true));
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void givenRejectedWithoutParams_whenDelivered_thenBodyCarriesExplicitNulls() {
    String id = interrupts.pending("owner-nulls", receiver.url());
    interrupts.reject(id, "key:k1", DECIDED_AT);

    activities.deliverCallback(new CallbackRequest(id));

    JsonNode body = json(receiver.received().get(0).body());
    assertThat(body.get("status").asText()).isEqualTo("rejected");
    assertThat(body.get("reason").isNull()).isTrue();
    assertThat(body.get("modifiedParams").isNull()).isTrue();
  }

  @Test
  void givenNameThatRebindsToLoopbackAfterTheCheck_whenDelivered_thenLoopbackReceivesNothing() {
    // The guard's lookup gets a public address; a second lookup would get the receiver's.
    var rebinding = new ScriptedResolver("rebind.example.test", "93.184.216.34", "127.0.0.1");
    String id = interrupts.pending("owner-rebind", receiver.url("rebind.example.test"));
    interrupts.approve(id, null, null, "key:k1", DECIDED_AT);

    try (ActivityHarness guarded =
        ActivityHarness.start(jdbi, new CallbackTargetGuard(false, rebinding), CLOCK)) {
      // The POST went to 93.184.216.34, which the test client cannot reach: a failed attempt.
      assertThatThrownBy(() -> guarded.activities().deliverCallback(new CallbackRequest(id)))
          .isInstanceOf(ActivityFailure.class)
          .cause()
          .isInstanceOfSatisfying(ApplicationFailure.class, failure("CALLBACK_FAILED", false));
    }

    assertThat(receiver.received()).isEmpty();
    assertThat(rebinding.lookups()).isEqualTo(1);
    assertThat(interrupts.events(id, "callback.attempt")).singleElement().satisfies(event -> {
      assertThat(event.details().get("outcome").asText()).isEqualTo("failed");
      assertThat(event.details().get("error").asText()).contains("93.184.216.34");
    });
  }

  @Test
  void givenNameResolvingToTheReceiver_whenDelivered_thenPostedThereUnderTheName()
      throws Exception {
    String owner = "owner-pinned";
    var resolver = new ScriptedResolver("receiver.example.test", "127.0.0.1");
    String id = interrupts.pending(owner, receiver.url("receiver.example.test"));
    interrupts.approve(id, null, null, "key:k1", DECIDED_AT);

    try (ActivityHarness named =
        ActivityHarness.start(jdbi, new CallbackTargetGuard(true, resolver), CLOCK)) {
      named.activities().deliverCallback(new CallbackRequest(id));
    }

    assertThat(receiver.received()).singleElement().satisfies(request -> {
      assertThat(request.header("Host")).isEqualTo("receiver.example.test:" + receiver.port());
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.header("User-Agent")).isEqualTo("Interlock-Callback/1");
      assertThat(CallbackSigner.verify(new CallbackSecrets(jdbi).forOwner(owner),
          request.header(CallbackSigner.HEADER), request.body())).isTrue();
    });
    assertThat(interrupts.row(id).callbackState()).isEqualTo("delivered");
  }
}
