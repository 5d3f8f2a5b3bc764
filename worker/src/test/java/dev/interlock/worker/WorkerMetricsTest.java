package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.store.NewInterrupt;
import dev.interlock.store.TestDatabase;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptStatus;
import dev.interlock.workflows.TransitionRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The activities count a transition once, in the run that changed the store: a retried
 * projection, or the workflow's own projection of an expiry the sweep already wrote, adds
 * nothing. Labels are the dialect and outcome, never an id.
 */
class WorkerMetricsTest {

  private Jdbi jdbi;
  private SimpleMeterRegistry registry;
  private InterruptActivitiesImpl activities;
  private ExpirySweep sweep;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.freshSchema(WorkerMetricsTest.class);
    registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(registry);
    activities = new InterruptActivitiesImpl(jdbi, Interrupts.JSON, ActivityHarness.OUTBOUND,
        new CallbackTargetGuard(true), Clock.systemUTC(), Duration.ofSeconds(5),
        TestRenderings.INSTANCE, null, metrics);
    sweep = new ExpirySweep(jdbi, new WebhookEvents(TestRenderings.INSTANCE, Clock.systemUTC()),
        null, metrics);
  }

  private String pending(String source, Instant createdAt, Instant expiresAt) {
    String id = UUID.randomUUID().toString();
    var row = new NewInterrupt(id, "owner-metrics", source, "agent-1", "user-1", "Pay", "high",
        createdAt, expiresAt, null, null, null, null, List.of(), 1);
    jdbi.useHandle(h -> InterruptSql.insertCreated(h, row, Interrupts.json("{}"), null, null,
        "key:test", null).orElseThrow());
    return id;
  }

  private static TransitionRecord transition(String id, InterruptStatus status, Decision decision,
      String actorId, Instant at) {
    return new TransitionRecord(id, new InterruptState(status, decision, null, null, actorId,
        at.toEpochMilli(), "cmd-" + id, null, actorId, List.of()));
  }

  private double count(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void givenADecision_whenItsProjectionIsRetried_thenCountedOnceWithItsLatency() {
    Instant created = Instant.now().minusSeconds(90).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String id = pending("agentgate", created, created.plusSeconds(3600));
    TransitionRecord approval = transition(id, InterruptStatus.APPROVED, Decision.APPROVED,
        "policy:p1", created.plusSeconds(30));

    activities.projectTransition(approval);
    activities.projectTransition(approval); // Temporal retries an activity it lost the result of

    assertThat(count("interlock.interrupts.decided", "dialect", "agentgate", "outcome", "approved"))
        .isEqualTo(1);
    assertThat(count("interlock.policy.decisions", "outcome", "approved")).isEqualTo(1);
    var latency = registry.find("interlock.decision.latency").tags("dialect", "agentgate").timer();
    assertThat(latency.count()).isEqualTo(1);
    assertThat(latency.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(30.0);
  }

  @Test
  void givenAnExpirySweptFirst_whenTheWorkflowProjectsIt_thenCountedOnce() {
    Instant created = Instant.now().minusSeconds(60);
    String id = pending("loopin", created, Instant.now().minusSeconds(1));

    assertThat(sweep.expireDue(10)).isEqualTo(1);
    activities.projectTransition(transition(id, InterruptStatus.EXPIRED, null, "system:expiry",
        Instant.now()));

    assertThat(count("interlock.interrupts.expired", "dialect", "loopin")).isEqualTo(1);
    assertThat(registry.find("interlock.interrupts.decided").counters()).isEmpty();
  }

  @Test
  void givenASourceNoDialectHas_thenCountedAsOther() {
    String id = pending("something-else", Instant.now(), Instant.now().plusSeconds(3600));

    activities.projectTransition(transition(id, InterruptStatus.CANCELLED, null, "key:k1",
        Instant.now()));

    assertThat(count("interlock.interrupts.cancelled", "dialect", "other")).isEqualTo(1);
    InterruptRow row = new Interrupts(jdbi).row(id);
    assertThat(row.status()).isEqualTo("cancelled");
  }
}
