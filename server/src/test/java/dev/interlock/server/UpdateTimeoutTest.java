package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decision the workflow does not take up (here: no worker polls its task queue) is given
 * up after temporal.updateTimeout with a 503 that says it may still apply, instead of a
 * request that hangs until the client gives up.
 */
class UpdateTimeoutTest {

  @TempDir Path data;

  @Test
  void givenNoWorkerTakesUpTheDecision_whenDecided_then503AfterTheUpdateTimeout() {
    try (TestApp app = new TestApp(data, ConfigOverride.config("worker.enabled", "false"),
        ConfigOverride.config("temporal.updateTimeout", "2s")).start()) {
      String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "Ship it")).text("interruptId");

      long started = System.nanoTime();
      TestApp.Resp decided = app.send(app.builder("/interrupts/" + id + "/decide", ADMIN_KEY)
          .timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"decision\":\"approved\"}")));
      long millis = (System.nanoTime() - started) / 1_000_000;

      assertThat(decided.status()).isEqualTo(503);
      assertThat(decided.text("error")).startsWith("The workflow has not taken up the decide")
          .contains("may still apply");
      assertThat(millis).as("answered after the 2 s bound, not at the client's timeout")
          .isBetween(1_900L, 10_000L);
      assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");
    }
  }

  /**
   * Loop's approval gate when the question's workflow does not answer: the issue is still
   * created and tied to its stored question (which every door lists), never left waiting
   * for a question that does not exist, and dispatch keeps skipping it.
   */
  @Test
  void givenNoWorkerTakesUpTheQuestion_whenAnIssueRequiresApproval_thenItWaitsOnAStoredQuestion()
      throws Exception {
    try (TestApp app = new TestApp(data, ConfigOverride.config("worker.enabled", "false"),
        ConfigOverride.config("temporal.updateTimeout", "2s")).start()) {
      TestApp.Resp created = app.send(app.builder("/api/issues", ADMIN_KEY)
          .timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Cache the price list\","
              + "\"type\":\"plan\",\"status\":\"todo\",\"requiresApproval\":true}")));
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      assertThat(created.body().path("data").path("requiresApproval").asBoolean()).isTrue();
      String issueId = created.body().path("data").path("id").asText();
      String questionId = app.jdbi().withHandle(h -> h.createQuery(
          "select approval_interrupt_id from engine_issues where id = :id").bind("id", issueId)
          .mapTo(String.class).one());
      assertThat(questionId).as("the issue names its question").isNotNull();
      TestApp.Resp question = app.get("/interrupts/" + questionId, ADMIN_KEY);
      assertThat(question.status()).isEqualTo(200);
      assertThat(question.text("status")).isEqualTo("pending");
      assertThat(question.text("action")).isEqualTo("Approve plan #1: Cache the price list");
      assertThat(app.get("/api/dispatch/next", ADMIN_KEY).status()).isEqualTo(204);
    }
  }
}
