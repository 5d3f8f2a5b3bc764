package dev.interlock.workflows.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A claim's lease, with time skipped: it lapses when nobody heartbeats (and the lapse
 * activity returns the issue), each heartbeat gives it its full length again, completing
 * ends it without a lapse, and a later deadline in the store (a heartbeat whose signal was
 * lost) is honoured.
 */
class LeaseWorkflowTest {

  static final Duration LEASE = Duration.ofMinutes(10);

  @RegisterExtension
  static final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .registerWorkflowImplementationTypes(LeaseWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  /** The store's side: records when each lapse check ran and answers as scripted. */
  static final class Activities implements LeaseActivities {
    final List<Long> checkedAt = Collections.synchronizedList(new ArrayList<>());
    final Deque<LapseResult> answers = new ArrayDeque<>();
    TestWorkflowEnvironment env;

    @Override
    public synchronized LapseResult lapse(LeaseRequest lease) {
      checkedAt.add(env.currentTimeMillis());
      return answers.isEmpty() ? LapseResult.lapsed(true) : answers.poll();
    }
  }

  private final Activities activities = new Activities();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    this.env = env;
    this.client = client;
    this.taskQueue = options.getTaskQueue();
    activities.env = env;
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  private LeaseWorkflow start(String dispatchId) {
    LeaseWorkflow lease = client.newWorkflowStub(LeaseWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(LeaseWorkflow.workflowId(dispatchId)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(lease::run, LeaseRequest.fresh(dispatchId, "iss_" + dispatchId,
        LEASE.toMillis()));
    return lease;
  }

  private LeaseEnd result(String dispatchId) throws java.util.concurrent.TimeoutException {
    return client.newUntypedWorkflowStub(LeaseWorkflow.workflowId(dispatchId))
        .getResult(30, TimeUnit.SECONDS, LeaseEnd.class);
  }

  /** With -Dinterlock.writeHistories=dir, keeps a run's history for LeaseWorkflowReplayTest. */
  private void writeHistory(String name, String dispatchId) throws java.io.IOException {
    String dir = System.getProperty("interlock.writeHistories");
    if (dir != null && !java.nio.file.Files.exists(java.nio.file.Path.of(dir, name))) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(dir, name),
          client.fetchHistory(LeaseWorkflow.workflowId(dispatchId)).toJson(true));
    }
  }

  @Test
  void givenClaimNobodyHeartbeats_whenTheLeaseRunsOut_thenTheLapseActivityReturnsTheIssue()
      throws Exception {
    long began = env.currentTimeMillis();
    start("d1");
    LeaseEnd end = result("d1");
    assertThat(end.outcome()).isEqualTo(LeaseEnd.LAPSED);
    assertThat(activities.checkedAt).hasSize(1);
    // Not before the lease's length, and not long after it.
    assertThat(activities.checkedAt.get(0) - began)
        .isBetween(LEASE.toMillis(), LEASE.plusSeconds(5).toMillis());
  }

  @Test
  void givenHeartbeatsWithinTheLease_whenTheyStop_thenItLapsesOneLeaseAfterTheLast()
      throws Exception {
    LeaseWorkflow lease = start("d2");
    env.sleep(Duration.ofMinutes(8));
    lease.heartbeat(new LeaseHeartbeat("PATCH"));
    env.sleep(Duration.ofMinutes(8));
    long lastBeat = env.currentTimeMillis();
    lease.heartbeat(new LeaseHeartbeat("comment"));
    env.sleep(Duration.ofMinutes(8));
    // 24 minutes after the claim, more than twice the lease: still held.
    assertThat(activities.checkedAt).isEmpty();
    assertThat(result("d2").outcome()).isEqualTo(LeaseEnd.LAPSED);
    assertThat(activities.checkedAt).hasSize(1);
    assertThat(activities.checkedAt.get(0) - lastBeat)
        .isBetween(LEASE.toMillis(), LEASE.plusSeconds(5).toMillis());
    writeHistory("lease-heartbeat-then-lapse.json", "d2");
  }

  @Test
  void givenHeldLease_whenCompleted_thenItEndsAtOnceAndNeverLapses() throws Exception {
    LeaseWorkflow lease = start("d3");
    env.sleep(Duration.ofMinutes(3));
    lease.complete(new LeaseEnd(LeaseEnd.COMPLETED));
    assertThat(result("d3").outcome()).isEqualTo(LeaseEnd.COMPLETED);
    env.sleep(LEASE.multipliedBy(2));
    assertThat(activities.checkedAt).isEmpty();
    writeHistory("lease-completed.json", "d3");
  }

  @Test
  void givenStoreWithALaterDeadline_whenTheTimerRunsOut_thenItWaitsForThatDeadlineAndChecksAgain()
      throws Exception {
    activities.answers.add(LapseResult.extended(Duration.ofMinutes(4).toMillis()));
    long began = env.currentTimeMillis();
    start("d4");
    assertThat(result("d4").outcome()).isEqualTo(LeaseEnd.LAPSED);
    assertThat(activities.checkedAt).hasSize(2);
    assertThat(activities.checkedAt.get(1) - activities.checkedAt.get(0))
        .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(4).plusSeconds(5).toMillis());
    assertThat(activities.checkedAt.get(0) - began).isGreaterThanOrEqualTo(LEASE.toMillis());
  }

  @Test
  void givenLeaseEndedInTheStore_whenTheTimerRunsOut_thenItEndsWithoutLapsing()
      throws Exception {
    activities.answers.add(LapseResult.ended());
    start("d5");
    assertThat(result("d5").outcome()).isEqualTo(LeaseEnd.ENDED);
    assertThat(activities.checkedAt).hasSize(1);
  }

  @Test
  void givenManyHeartbeats_whenTheRunGrowsLong_thenItContinuesAsNewAndKeepsTheDeadline()
      throws Exception {
    LeaseWorkflow lease = start("d6");
    for (int i = 0; i < LeaseWorkflowImpl.HEARTBEATS_PER_RUN + 3; i++) {
      lease.heartbeat(new LeaseHeartbeat("tool"));
    }
    long lastBeat = env.currentTimeMillis();
    assertThat(result("d6").outcome()).isEqualTo(LeaseEnd.LAPSED);
    assertThat(activities.checkedAt).hasSize(1);
    assertThat(activities.checkedAt.get(0) - lastBeat)
        .isBetween(LEASE.toMillis() - 5_000, LEASE.plusSeconds(5).toMillis());
    var history = client.fetchHistory(LeaseWorkflow.workflowId("d6"));
    assertThat(history.getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes()
        .getContinuedExecutionRunId()).isNotEmpty();
  }
}
