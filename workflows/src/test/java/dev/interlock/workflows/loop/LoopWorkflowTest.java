package dev.interlock.workflows.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A loop's workflow: serial turns in the order of their numbers, an interrupt that cancels
 * the running turn (down to its activity) and ends the queued ones, a lost runner, the idle
 * end and continue-as-new.
 */
class LoopWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .registerWorkflowImplementationTypes(LoopWorkflowImpl.class, TurnWorkflowImpl.class)
      .setWorkerOptions(WorkerOptions.newBuilder()
          .setMaxHeartbeatThrottleInterval(Duration.ofMillis(200)).build())
      .setDoNotStart(true)
      .build();

  /** The store's side in memory; the agent's side scripted per turn. */
  static final class Activities implements LoopActivities {
    final List<String> started = Collections.synchronizedList(new ArrayList<>());
    final Map<String, TurnOutcome> ended = new ConcurrentHashMap<>();
    final List<String> order = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Boolean> coldStarts = new ConcurrentHashMap<>();
    /** Turns whose agent works until cancelled. */
    final Map<String, CountDownLatch> working = new ConcurrentHashMap<>();
    /** Turns whose agent stops heartbeating (its worker died). */
    final Map<String, Boolean> silent = new ConcurrentHashMap<>();
    final List<String> cancelledAgents = Collections.synchronizedList(new ArrayList<>());
    /** Working turns told to finish. */
    final Map<String, Boolean> released = new ConcurrentHashMap<>();

    @Override
    public boolean startTurn(TurnInput turn) {
      if (ended.containsKey(turn.turnId())) {
        return false;
      }
      started.add(turn.turnId());
      coldStarts.put(turn.turnId(), turn.coldStart());
      return true;
    }

    @Override
    public TurnOutcome runAgent(TurnInput turn) {
      order.add(turn.turnId());
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      CountDownLatch running = working.get(turn.turnId());
      if (silent.containsKey(turn.turnId())) {
        try {
          Thread.sleep(Duration.ofMinutes(2).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return TurnOutcome.done();
      }
      if (running != null) {
        running.countDown();
        try {
          while (!released.containsKey(turn.turnId())) {
            Thread.sleep(50);
            ctx.heartbeat(null);
          }
          return TurnOutcome.done();
        } catch (ActivityCanceledException e) {
          cancelledAgents.add(turn.turnId());
          throw e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return TurnOutcome.error("interrupted", "test");
        }
      }
      return TurnOutcome.done();
    }

    @Override
    public void finishTurn(TurnEnd end) {
      ended.putIfAbsent(end.turnId(), end.outcome());
    }

    @Override
    public void endQueued(String loopId, List<String> turnIds, TurnOutcome outcome) {
      turnIds.forEach(t -> ended.putIfAbsent(t, outcome));
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
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  private LoopWorkflow enqueue(String loopId, String turnId, int number) {
    LoopWorkflow loop = client.newWorkflowStub(LoopWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(LoopWorkflow.workflowId(loopId)).setTaskQueue(taskQueue).build());
    var request = client.newSignalWithStartRequest();
    request.add(loop::run, new LoopState(loopId, List.of()));
    request.add(loop::enqueue, new TurnRef(turnId, number));
    client.signalWithStart(request);
    return loop;
  }

  /** With -Dinterlock.writeHistories=dir, keeps a run's history for LoopWorkflowReplayTest. */
  private void writeHistory(String name, String workflowId) throws java.io.IOException {
    String dir = System.getProperty("interlock.writeHistories");
    if (dir != null && !java.nio.file.Files.exists(java.nio.file.Path.of(dir, name))) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(dir, name),
          client.fetchHistory(workflowId).toJson(true));
    }
  }

  private boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  @Test
  void givenBusyLoop_whenMessagesAreQueued_thenTurnsRunOneAtATimeInNumberOrderAndOnlyTheFirstIsCold()
      throws Exception {
    activities.working.put("t1", new CountDownLatch(1));
    enqueue("l1", "t1", 1);
    assertThat(activities.working.get("t1").await(10, TimeUnit.SECONDS)).isTrue();
    // Signals may arrive out of order; the queue keeps the numbers' order.
    enqueue("l1", "t3", 3);
    enqueue("l1", "t2", 2);
    Thread.sleep(300);
    assertThat(activities.order).containsExactly("t1");
    activities.released.put("t1", true);
    assertThat(eventually(() -> activities.ended.size() == 3)).isTrue();
    assertThat(activities.order).containsExactly("t1", "t2", "t3");
    assertThat(activities.ended.values()).extracting(TurnOutcome::status)
        .containsOnly("done");
    assertThat(activities.coldStarts.get("t1")).isTrue();
    assertThat(activities.coldStarts.get("t2")).isFalse();
  }

  @Test
  void givenRunningTurnAndQueue_whenInterrupted_thenTheAgentIsCancelledAndEveryQueuedTurnEnds()
      throws Exception {
    activities.working.put("r1", new CountDownLatch(1));
    enqueue("l5", "r1", 1);
    assertThat(activities.working.get("r1").await(10, TimeUnit.SECONDS)).isTrue();
    enqueue("l5", "r2", 2);
    enqueue("l5", "r3", 3);
    client.newWorkflowStub(LoopWorkflow.class, LoopWorkflow.workflowId("l5")).interrupt();
    assertThat(eventually(() -> activities.ended.size() == 3)).isTrue();
    assertThat(activities.ended.get("r1").status()).isEqualTo("interrupted");
    // Cancelled down to the activity, which stopped its agent before the turn ended.
    assertThat(activities.cancelledAgents).containsExactly("r1");
    assertThat(activities.ended.get("r2").status()).isEqualTo("interrupted");
    assertThat(activities.ended.get("r3").status()).isEqualTo("interrupted");
    assertThat(activities.order).containsExactly("r1");

    // The loop goes on with the next message.
    enqueue("l5", "r4", 4);
    assertThat(eventually(() -> activities.ended.containsKey("r4"))).isTrue();
    assertThat(activities.ended.get("r4").status()).isEqualTo("done");
    assertThat(activities.order).containsExactly("r1", "r4");
    try {
      // A cancelled turn closes as cancelled once it has recorded its end.
      client.newUntypedWorkflowStub(TurnWorkflow.workflowId("r1"))
          .getResult(10, TimeUnit.SECONDS, TurnOutcome.class);
    } catch (io.temporal.client.WorkflowFailedException cancelled) {
      assertThat(cancelled.getCause()).isInstanceOf(io.temporal.failure.CanceledFailure.class);
    }
    writeHistory("turn-interrupted.json", TurnWorkflow.workflowId("r1"));
  }

  @Test
  void givenAgentWhoseWorkerDied_whenItsHeartbeatTimesOut_thenTheTurnEndsRunnerLostAndTheNextRuns()
      throws Exception {
    activities.silent.put("s1", true);
    enqueue("l2", "s1", 1);
    enqueue("l2", "s2", 2);
    env.sleep(TurnWorkflowImpl.HEARTBEAT.plusSeconds(5));
    assertThat(eventually(() -> activities.ended.containsKey("s2"))).isTrue();
    TurnOutcome lost = activities.ended.get("s1");
    assertThat(lost.status()).isEqualTo("error");
    assertThat(lost.code()).isEqualTo("runner_lost");
    assertThat(activities.ended.get("s2").status()).isEqualTo("done");
    writeHistory("turn-runner-lost.json", TurnWorkflow.workflowId("s1"));
  }

  @Test
  void givenIdleLoop_whenNothingComesForTheIdlePeriod_thenItsWorkflowEndsAndTheNextMessageStartsItCold()
      throws Exception {
    enqueue("l3", "i1", 1);
    assertThat(eventually(() -> activities.ended.containsKey("i1"))).isTrue();
    WorkflowStub stub = client.newUntypedWorkflowStub(LoopWorkflow.workflowId("l3"));
    env.sleep(LoopWorkflowImpl.IDLE.plusMinutes(1));
    stub.getResult(10, TimeUnit.SECONDS, Void.class);
    writeHistory("loop-turn-then-idle.json", LoopWorkflow.workflowId("l3"));
    enqueue("l3", "i2", 2);
    assertThat(eventually(() -> activities.ended.containsKey("i2"))).isTrue();
    assertThat(activities.coldStarts.get("i2")).isTrue();
  }

  @Test
  void givenManyTurns_whenTheRunIsLong_thenItContinuesAsNewAndKeepsTheQueue() throws Exception {
    int n = LoopWorkflowImpl.TURNS_PER_RUN + 5;
    for (int i = 1; i <= n; i++) {
      enqueue("l4", "m" + i, i);
    }
    assertThat(eventually(() -> activities.ended.size() >= n)).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      expected.add("m" + i);
    }
    assertThat(activities.order).containsExactlyElementsOf(expected);
    // Only the loop's first turn is a cold start: continuing as new keeps the loop warm.
    assertThat(activities.coldStarts.get("m1")).isTrue();
    for (int i = 2; i <= n; i++) {
      assertThat(activities.coldStarts.get("m" + i)).as("m" + i).isFalse();
    }
    var history = client.fetchHistory(LoopWorkflow.workflowId("l4"));
    // The current run began with the turns left after the first TURNS_PER_RUN.
    assertThat(history.getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes()
        .getContinuedExecutionRunId()).isNotEmpty();
  }
}
