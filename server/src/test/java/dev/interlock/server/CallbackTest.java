package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outcome callbacks reach a real local receiver, signed, retried, and audited. */
class CallbackTest {

  @TempDir static Path data;
  static TestApp app;
  static CallbackReceiver receiver;
  static String secret;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
    secret = app.get("/callbacks/secret", ADMIN_KEY).text("secret");
  }

  @AfterAll
  static void stop() {
    app.close();
    receiver.close();
  }

  /** Verifies the signature the way a receiver would, independently of the server's code. */
  static void assertSigned(CallbackReceiver.Received r) throws Exception {
    String header = r.header("X-Interlock-Signature");
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    String t = header.substring(2, header.indexOf(','));
    String v1 = header.substring(header.indexOf("v1=") + 3);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
    assertThat(v1).isEqualTo(expected);
    assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(60);
  }

  private static List<String> events(String id) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select event from interrupt_events where interrupt_id = cast(:id as uuid) order by id")
        .bind("id", id).mapTo(String.class).list());
  }

  @Test
  void givenCallbackUrl_whenDecided_thenSignedCallbackWithOutcome() throws Exception {
    String path = "/decided";
    String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Pay", "callbackUrl", receiver.url(path)))
        .text("interruptId");
    app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "ok", "modifiedParams", Map.of("amount", 10)));

    assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to(path).isEmpty())).isTrue();
    var r = receiver.to(path).get(0);
    assertSigned(r);
    JsonNode body = TestApp.JSON.readTree(r.body());
    assertThat(body.path("interruptId").asText()).isEqualTo(id);
    assertThat(body.path("status").asText()).isEqualTo("approved");
    assertThat(body.path("decision").asText()).isEqualTo("approved");
    assertThat(body.path("reason").asText()).isEqualTo("ok");
    assertThat(body.path("modifiedParams").path("amount").asInt()).isEqualTo(10);
    assertThat(body.path("decidedAt").asText()).isEqualTo(app.get("/interrupts/" + id, ADMIN_KEY).text("decidedAt"));
    assertThat(eventually(Duration.ofSeconds(5), () -> events(id).contains("callback.attempt"))).isTrue();
    assertThat(callbackState(id)).isEqualTo("delivered");
  }

  @Test
  void givenCallbackUrl_whenExpired_thenCallbackSaysExpired() throws Exception {
    String path = "/expired";
    String id = app.post("/interrupts", ADMIN_KEY,
        interrupt("u", "Expire me", "expiresIn", 1, "callbackUrl", receiver.url(path))).text("interruptId");
    assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to(path).isEmpty())).isTrue();
    var r = receiver.to(path).get(0);
    assertSigned(r);
    JsonNode body = TestApp.JSON.readTree(r.body());
    assertThat(body.path("status").asText()).isEqualTo("expired");
    assertThat(body.path("decision").isNull()).isTrue();
  }

  @Test
  void givenCallbackUrl_whenCancelled_thenCallbackSaysCancelled() throws Exception {
    String path = "/cancelled";
    String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Cancel me", "callbackUrl", receiver.url(path)))
        .text("interruptId");
    assertThat(app.delete("/interrupts/" + id, ADMIN_KEY).status()).isEqualTo(200);
    assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to(path).isEmpty())).isTrue();
    assertSigned(receiver.to(path).get(0));
    assertThat(TestApp.JSON.readTree(receiver.to(path).get(0).body()).path("status").asText())
        .isEqualTo("cancelled");
  }

  @Test
  void givenFailingReceiver_whenDecided_thenRetriedUntilDeliveredAndEveryAttemptAudited() {
    String path = "/flaky";
    receiver.answer(500, 503, 200);
    try {
      String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Retry me", "callbackUrl", receiver.url(path)))
          .text("interruptId");
      app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "rejected"));
      // Backoff: 2 s then 4 s between attempts.
      assertThat(eventually(Duration.ofSeconds(20), () -> "delivered".equals(callbackState(id)))).isTrue();
      assertThat(receiver.to(path)).hasSize(3);
      List<String> outcomes = app.jdbi().withHandle(h -> h.createQuery(
          "select details->>'outcome' from interrupt_events where interrupt_id = cast(:id as uuid)"
              + " and event = 'callback.attempt' order by id").bind("id", id).mapTo(String.class).list());
      assertThat(outcomes).containsExactly("failed", "failed", "delivered");
      assertThat(receiver.to(path).get(2).header("X-Interlock-Attempt")).isEqualTo("3");
    } finally {
      receiver.answer(200);
    }
  }

  @Test
  void givenNoCallbackUrl_thenCallbackStateNone() {
    String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "No callback")).text("interruptId");
    app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(callbackState(id)).isEqualTo("none");
  }

  @Test
  void givenSecretEndpoint_thenSameSecretEachTimeAndPerOwner() {
    assertThat(app.get("/callbacks/secret", ADMIN_KEY).text("secret")).isEqualTo(secret);
    String other = app.get("/callbacks/secret", app.keyFor("owner-callbacks-b")).text("secret");
    assertThat(other).isNotEqualTo(secret).hasSizeGreaterThanOrEqualTo(32);
    assertThat(app.get("/callbacks/secret", null).status()).isEqualTo(401);
  }

  private static String callbackState(String id) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select callback_state from interrupts where id = cast(:id as uuid)")
        .bind("id", id).mapTo(String.class).one());
  }
}
