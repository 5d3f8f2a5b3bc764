package dev.interlock.workflows.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays committed histories of leases against the current code (written by
 * LeaseWorkflowTest with -Dinterlock.writeHistories): a change that would break a running
 * lease fails the build. Version deliberate changes; never regenerate these files.
 */
class LeaseWorkflowReplayTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // history file,                   an event or value the run must contain
    "lease-heartbeat-then-lapse.json,  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED",
    "lease-heartbeat-then-lapse.json,  EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
    "lease-completed.json,             EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED",
  })
  void givenCommittedHistory_whenReplayed_thenItIsDeterministic(String file,
      String characteristic) throws Exception {
    String history = read("/histories/" + file);
    assertThat(history).contains(characteristic)
        .contains("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED");
    WorkflowReplayer.replayWorkflowExecution(history, LeaseWorkflowImpl.class);
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = LeaseWorkflowReplayTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("test resource %s", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
