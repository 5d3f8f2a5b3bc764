package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart on the same data directory: the embedded Temporal has forgotten every
 * workflow, and the recovery pass must bring each wait back from PostgreSQL.
 */
class RecoveryTest {

  @TempDir Path data;

  @Test
  void givenPendingInterrupts_whenRestarted_thenStillDecidableExpiringAndCallbacksDelivered()
      throws Exception {
    try (CallbackReceiver receiver = new CallbackReceiver()) {
      String longWait;
      String shortWait;
      String owed;
      Instant shortExpiresAt;
      try (TestApp first = new TestApp(data).start()) {
        longWait = first.post("/interrupts", ADMIN_KEY, interrupt("u", "Survive a restart",
            "expiresIn", 3600)).text("interruptId");
        Resp shortResp = first.post("/interrupts", ADMIN_KEY, interrupt("u", "Expire while down",
            "expiresIn", 4, "callbackUrl", receiver.url("/short")));
        shortWait = shortResp.text("interruptId");
        shortExpiresAt = Instant.parse(shortResp.text("expiresAt"));
        // Decided, but the receiver is down (500) so the callback is still owed at stop.
        receiver.answer(500);
        owed = first.post("/interrupts", ADMIN_KEY, interrupt("u", "Callback owed",
            "callbackUrl", receiver.url("/owed"))).text("interruptId");
        assertThat(first.post("/interrupts/" + owed + "/decide", ADMIN_KEY,
            Map.of("decision", "approved", "reason", "before restart")).status()).isEqualTo(200);
        assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to("/owed").isEmpty())).isTrue();
      }
      receiver.answer(200);
      // Let the short interrupt's expiry pass while nothing runs.
      long untilExpired = Duration.between(Instant.now(), shortExpiresAt).toMillis() + 300;
      if (untilExpired > 0) {
        Thread.sleep(untilExpired);
      }

      try (TestApp second = new TestApp(data).start()) {
        // The expiry that passed while down fires at once.
        assertThat(eventually(Duration.ofSeconds(10),
            () -> "expired".equals(second.get("/interrupts/" + shortWait, ADMIN_KEY).text("status"))))
            .isTrue();
        assertThat(eventually(Duration.ofSeconds(10), () -> !receiver.to("/short").isEmpty())).isTrue();
        assertThat(TestApp.JSON.readTree(receiver.to("/short").get(0).body()).path("status").asText())
            .isEqualTo("expired");

        // The owed callback is delivered with the decision taken before the restart.
        assertThat(eventually(Duration.ofSeconds(15), () -> receiver.to("/owed").stream()
            .anyMatch(r -> r.body().contains("\"approved\"") && r.body().contains("before restart"))))
            .isTrue();
        assertThat(eventually(Duration.ofSeconds(5), () -> "delivered".equals(second.jdbi().withHandle(
            h -> h.createQuery("select callback_state from interrupts where id = cast(:id as uuid)")
                .bind("id", owed).mapTo(String.class).one())))).isTrue();

        // The long wait is still pending, long-pollable and decidable.
        assertThat(second.get("/interrupts/" + longWait, ADMIN_KEY).text("status")).isEqualTo("pending");
        Resp decided = second.post("/interrupts/" + longWait + "/decide", ADMIN_KEY,
            Map.of("decision", "approved"));
        assertThat(decided.status()).isEqualTo(200);
        assertThat(second.get("/interrupts/" + longWait, ADMIN_KEY).text("status")).isEqualTo("approved");

        // A second pass on a live system finds every workflow and re-creates none.
        String pending = second.post("/interrupts", ADMIN_KEY, interrupt("u", "Live")).text("interruptId");
        HttpResponse<String> task = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(second.adminBase() + "/tasks/recover"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(task.statusCode()).isEqualTo(200);
        assertThat(task.body()).contains("re-created 0").doesNotContain("checked 0,");
        assertThat(second.get("/interrupts/" + pending, ADMIN_KEY).text("status")).isEqualTo("pending");
        assertThat(second.get("/health", null).body().path("checks").path("recovery").asText())
            .isEqualTo("done");
      }
    }
  }

  @Test
  void givenRestartBeforeRecoveryReachesIt_whenDecided_thenWorkflowRecreatedOnDemand() {
    String id;
    try (TestApp first = new TestApp(data).start()) {
      id = first.post("/interrupts", ADMIN_KEY, interrupt("u", "Decide right after restart"))
          .text("interruptId");
    }
    try (TestApp second = new TestApp(data).start()) {
      // Whether the background pass or the decide gets there first, the decision lands.
      Resp r = second.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", "rejected"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(second.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("rejected");
    }
  }
}
