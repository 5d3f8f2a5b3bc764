package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Temporal is replaced by an empty one once it holds enough closed workflows
 * (here: 20, checked every 300 ms), while agents create and people decide. Nothing
 * acknowledged is lost, nothing is applied twice, and the waits that were live keep working
 * on the new service: decidable, expiring on time.
 */
class EmbeddedRecycleTest {

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data, List.of(TestTemporal.embedded()),
        ConfigOverride.config("temporal.embeddedRecycleAfter", "20"),
        ConfigOverride.config("temporal.embeddedRecycleCheck", "300ms")).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static long recycles() {
    return app.get("/health", null).body().path("details").path("embeddedRecycles").asLong();
  }

  @Test
  void givenChurn_whenRecycledUnderLoad_thenNoDecisionLostOrDoubledAndLiveWaitsCarryOn()
      throws Exception {
    long before = recycles();
    // Live waits from before the churn: one long, one that expires during it.
    String longWait = app.post("/interrupts", ADMIN_KEY, interrupt("recycle", "Outlive recycles",
        "expiresIn", 3600)).text("interruptId");
    Resp shortResp = app.post("/interrupts", ADMIN_KEY, interrupt("recycle", "Expire meanwhile",
        "expiresIn", 6));
    String shortWait = shortResp.text("interruptId");
    Instant shortExpiresAt = Instant.parse(shortResp.text("expiresAt"));

    Map<String, String> decided = new ConcurrentHashMap<>();
    List<String> created = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Integer> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService agents = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      int thread = t;
      agents.submit(() -> {
        int i = 0;
        while (running.get()) {
          i++;
          Resp c = app.post("/interrupts", ADMIN_KEY,
              interrupt("recycle", "Churn " + thread + "-" + i, "expiresIn", 3600));
          if (c.status() != 201) {
            unexpected.add(c.status());
            continue;
          }
          String id = c.text("interruptId");
          created.add(id);
          String decision = i % 2 == 0 ? "approved" : "rejected";
          Resp d = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, Map.of("decision", decision));
          if (d.status() == 200) {
            decided.put(id, decision);
          } else if (d.status() != 503) {
            unexpected.add(d.status());
          }
        }
        return null;
      });
    }
    boolean recycledTwice = eventually(Duration.ofSeconds(60), () -> recycles() >= before + 2);
    running.set(false);
    agents.shutdown();
    assertThat(agents.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(recycledTwice).as("two recycles within a minute of churn").isTrue();
    assertThat(unexpected).as("only 201/200, or 503 while a decision could not be confirmed")
        .isEmpty();

    // Every acknowledged decision is stored, once.
    for (var e : decided.entrySet()) {
      assertThat(app.get("/interrupts/" + e.getKey(), ADMIN_KEY).text("status"))
          .isEqualTo(e.getValue());
    }
    List<Map<String, Object>> doubled = app.jdbi().withHandle(h -> h.createQuery("""
        select interrupt_id, count(*) from interrupt_events
         where event in ('approved', 'rejected', 'cancelled', 'expired')
         group by interrupt_id having count(*) > 1""").mapToMap().list());
    assertThat(doubled).as("no interrupt settled twice").isEmpty();
    // An interrupt whose decide got a 503 is still pending or decided, never lost.
    for (String id : created) {
      assertThat(app.get("/interrupts/" + id, ADMIN_KEY).status()).isEqualTo(200);
    }

    // The waits from before the recycles: the short one expired on time, the long one is
    // still decidable on the new service.
    assertThat(eventually(Duration.ofSeconds(20),
        () -> "expired".equals(app.get("/interrupts/" + shortWait, ADMIN_KEY).text("status"))))
        .isTrue();
    Instant expiredAt = app.jdbi().withHandle(h -> h.createQuery(
        "select at from interrupt_events where interrupt_id = cast(:id as uuid)"
            + " and event = 'expired'").bind("id", shortWait).mapTo(Instant.class).one());
    assertThat(Duration.between(shortExpiresAt, expiredAt)).isLessThan(Duration.ofSeconds(5));
    Resp late = app.post("/interrupts/" + longWait + "/decide", ADMIN_KEY,
        Map.of("decision", "approved"));
    assertThat(late.status()).isEqualTo(200);
    assertThat(app.get("/interrupts/" + longWait, ADMIN_KEY).text("status")).isEqualTo("approved");
    assertThat(app.get("/health", null).body().path("details").path("temporalMode").asText())
        .isEqualTo("embedded");
  }
}
