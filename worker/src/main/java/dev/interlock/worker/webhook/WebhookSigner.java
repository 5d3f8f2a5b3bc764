package dev.interlock.worker.webhook;

import java.util.LinkedHashMap;
import java.util.Map;
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

  /**
   * The headers of a webhook POST (deliveries and test sends alike): JSON, our User-Agent,
   * the signature over {@code timestamp} (epoch seconds) and {@code body}, and the event.
   */
  public static Map<String, String> headers(String secret, String timestamp, String body,
      String event) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", "Interlock-Webhook/1");
    headers.put(SIGNATURE, signature(secret, timestamp, body));
    headers.put(TIMESTAMP, timestamp);
    headers.put("X-AgentGate-Event", event);
    return headers;
  }
}
