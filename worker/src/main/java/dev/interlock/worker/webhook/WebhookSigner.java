package dev.interlock.worker.webhook;

import dev.interlock.worker.CallbackSigner;

/**
 * AgentGate's signature: {@code X-AgentGate-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<timestamp>.<raw body>")>} with the timestamp in {@code X-AgentGate-Timestamp}.
 */
public final class WebhookSigner {

  public static final String SIGNATURE = "X-AgentGate-Signature";
  public static final String TIMESTAMP = "X-AgentGate-Timestamp";

  private WebhookSigner() {}

  public static String signature(String secret, String timestamp, String body) {
    return "sha256=" + CallbackSigner.hmacHex(secret, timestamp + "." + body);
  }
}
