package dev.interlock.server;

import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.engine.IssueRow;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart of Interlock while a claim is held, on the same data directory: the lease still
 * lapses. The embedded Temporal forgets every workflow, so the start re-creates the lease
 * from PostgreSQL with what is left of it; the dev server (the build's second run) keeps it.
 */
class DispatchLeaseRestartTest {

  @TempDir Path data;
  final List<ConfigOverride> temporal = TestTemporal.devServer()
      ? TestTemporal.devServerOverrides() : TestTemporal.overrides();

  TestApp app() {
    return new TestApp(data, temporal, ConfigOverride.config("engine.dispatchLease", "3s"));
  }

  @Test
  void givenHeldClaim_whenTheServerRestarts_thenItsLeaseStillLapses() {
    IssueRow issue;
    DispatchFixtures ws;
    try (TestApp first = app().start()) {
      ws = new DispatchFixtures(first);
      issue = ws.issue("Claimed before the restart", "task", 1);
      assertThat(first.get("/api/dispatch/next", ws.key).status()).isEqualTo(200);
    }
    try (TestApp second = app().start()) {
      DispatchFixtures again = new DispatchFixtures(second);
      IssueRow held = issue;
      assertThat(eventually(Duration.ofSeconds(30),
          () -> "todo".equals(readStatus(second, held)))).isTrue();
      List<String> outcomes = second.jdbi().withHandle(h -> h.createQuery(
          "select outcome from engine_dispatches where issue_id = :id")
          .bind("id", held.id()).mapTo(String.class).list());
      assertThat(outcomes).containsExactly("lapsed");
      assertThat(again.ownerId).isNotEqualTo(ws.ownerId);
    }
  }

  static String readStatus(TestApp app, IssueRow issue) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select status from engine_issues where id = :id").bind("id", issue.id())
        .mapTo(String.class).one());
  }
}
