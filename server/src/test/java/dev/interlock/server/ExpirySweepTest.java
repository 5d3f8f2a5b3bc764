package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts read as expired when their deadline passes because the store's expiry sweep
 * marks them, not only when their workflow's timer gets its turn; the workflow still runs
 * the callback, once.
 */
class ExpirySweepTest {

  @TempDir Path data;

  @Test
  void givenNoWorkerRunsTheWorkflows_whenTheDeadlinePasses_thenWaitersStillSeeExpired() {
    // Without a worker no workflow timer can fire: the sweep alone expires the interrupt.
    try (TestApp app = new TestApp(data, ConfigOverride.config("worker.enabled", "false"),
        ConfigOverride.config("expiry.sweepInterval", "100ms")).start()) {
      String id = app.post("/interrupts", ADMIN_KEY,
          interrupt("u", "Rotate keys", "expiresIn", 1)).text("interruptId");

      TestApp.Resp polled = app.get("/interrupts/" + id + "?wait=15", ADMIN_KEY);

      assertThat(polled.text("status")).isEqualTo("expired");
      assertThat(polled.text("decidedAt")).isEqualTo(polled.text("expiresAt"));
      TestApp.Resp late = app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
          Map.of("decision", "approved"));
      assertThat(late.status()).isEqualTo(409);
      assertThat(late.text("error")).isEqualTo("Interrupt is already expired");
    }
  }

  @Test
  void givenManyExpiringTogether_whenTheDeadlinePasses_thenAllReadExpiredAndEachCallbackOnce()
      throws Exception {
    int n = 60;
    try (CallbackReceiver receiver = new CallbackReceiver();
        TestApp app = new TestApp(data).start()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(app.post("/interrupts", ADMIN_KEY, interrupt("u", "Expire " + i, "expiresIn", 2,
            "callbackUrl", receiver.url("/storm"))).text("interruptId"));
      }
      ExecutorService pool = Executors.newFixedThreadPool(n);
      try {
        List<CompletableFuture<String>> waits = ids.stream()
            .map(id -> CompletableFuture.supplyAsync(
                () -> app.get("/interrupts/" + id + "?wait=20", ADMIN_KEY).text("status"), pool))
            .toList();
        for (CompletableFuture<String> wait : waits) {
          assertThat(wait.get()).isEqualTo("expired");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(eventually(Duration.ofSeconds(30), () -> receiver.to("/storm").size() >= n))
          .isTrue();
      Thread.sleep(500); // a duplicate would arrive right behind
      assertThat(receiver.to("/storm")).hasSize(n);
      assertThat(receiver.to("/storm"))
          .allSatisfy(r -> assertThat(TestApp.JSON.readTree(r.body()).path("status").asText())
              .isEqualTo("expired"));
      for (String id : ids) {
        List<String> events = app.jdbi().withHandle(h -> h.createQuery(
                "select event from interrupt_events where interrupt_id = cast(:id as uuid)"
                    + " and event = 'expired'")
            .bind("id", id).mapTo(String.class).list());
        assertThat(events).as("expired events of %s", id).hasSize(1);
      }
    }
  }
}
