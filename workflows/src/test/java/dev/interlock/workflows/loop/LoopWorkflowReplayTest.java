package dev.interlock.workflows.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays committed histories of loops and turns against the current code (written by
 * LoopWorkflowTest with -Dinterlock.writeHistories): a change that would break a running
 * loop fails the build. Version deliberate changes; never regenerate these files.
 */
class LoopWorkflowReplayTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // history file,            workflow,  an event or value the run must contain
    "loop-turn-then-idle.json,  loop,      EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED",
    "turn-interrupted.json,     turn,      EVENT_TYPE_ACTIVITY_TASK_CANCELED",
    "turn-runner-lost.json,     turn,      EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT",
  })
  void givenCommittedHistory_whenReplayed_thenItIsDeterministic(String file, String workflow,
      String characteristic) throws Exception {
    String history = read("/histories/" + file);
    assertThat(history).contains(characteristic).containsPattern(
        "EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|CANCELED)");
    WorkflowReplayer.replayWorkflowExecution(history,
        "loop".equals(workflow) ? LoopWorkflowImpl.class : TurnWorkflowImpl.class);
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = LoopWorkflowReplayTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("test resource %s", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
