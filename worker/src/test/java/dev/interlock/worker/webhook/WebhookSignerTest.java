package dev.interlock.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

/**
 * AgentGate's webhook signature, pinned to bytes computed outside Java, so that sharing the
 * HMAC with the callback signer can never change what receivers check.
 */
class WebhookSignerTest {

  private static final String SECRET = "whsec_0123456789abcdef0123456789abcdef";
  private static final String TIMESTAMP = "1772366400";
  private static final String BODY = "{\"event\":\"request.approved\",\"requestId\":\"req_1\"}";
  /** printf '%s' "$TIMESTAMP.$BODY" | openssl dgst -sha256 -hmac "$SECRET" */
  private static final String EXPECTED =
      "sha256=c28786eb4d7ae20822d84daa971a3eba72a718f328d42824db03e27a3a5f9876";

  @Test
  void givenKnownSecretTimestampAndBody_whenSigned_thenExactlyThePublishedBytes() {
    assertThat(WebhookSigner.signature(SECRET, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
  }

  @Test
  void givenDelivery_whenHeadersBuilt_thenSignedJsonWithTimestampAndEvent() {
    assertThat(WebhookSigner.headers(SECRET, TIMESTAMP, BODY, "request.approved"))
        .containsOnly(
            entry("Content-Type", "application/json"),
            entry("User-Agent", "Interlock-Webhook/1"),
            entry(WebhookSigner.SIGNATURE, EXPECTED),
            entry(WebhookSigner.TIMESTAMP, TIMESTAMP),
            entry("X-AgentGate-Event", "request.approved"));
  }
}
