package dev.interlock.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays committed histories of real runs against the current workflow code, so that a
 * change that would break running workflows (a non-deterministic change) fails the build.
 * When the workflow changes on purpose, version it ({@code Workflow.getVersion}) and add a
 * history of the new code next to these; do not regenerate the old ones.
 */
class InterruptWorkflowReplayTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // history file,                    an event the run must contain to be the intended path
    "interrupt-decide-callback.json,    EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED",
    "interrupt-expiry-callback.json,    EVENT_TYPE_TIMER_FIRED",
    "interrupt-policy-approve-callback.json, EvaluatePolicies",
    // since transitions are projected by a local activity (version marker local-projection)
    "interrupt-decide-callback-local.json, \"markerName\": \"LocalActivity\"",
    "interrupt-expiry-callback-local.json, \"markerName\": \"LocalActivity\"",
    // started with Interlock's search attributes, so the transition upserts InterlockStatus
    // (written by InterruptWorkflowSearchAttributesTest)
    "interrupt-decide-callback-search-attributes.json, EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES",
    // version 2 of local-projection: projectTransition answers what the store holds
    // (written by InterruptWorkflowLocalProjectionTest and InterruptWorkflowStoreExpiryTest)
    "interrupt-decide-callback-project.json, EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED",
    "interrupt-expiry-callback-project.json, EVENT_TYPE_TIMER_FIRED",
    // the store's expiry sweep got there first: the decide update failed, the run expired
    "interrupt-decide-store-expired-callback.json, Interrupt is already expired",
    // a quorum of two: the first approval recorded by the local activity recordApproval
    // (its type in the marker, base64), the second settling it (InterruptWorkflowQuorumTest)
    "interrupt-quorum-approve-callback.json, IlJlY29yZEFwcHJvdmFsIg",
  })
  void givenCommittedHistory_whenReplayedAgainstCurrentCode_thenItIsDeterministic(
      String file, String characteristicEvent) throws Exception {
    String history = read("/histories/" + file);
    assertThat(history)
        .contains(characteristicEvent)
        .contains("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED")
        .contains("DeliverCallback");

    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
  }

  @org.junit.jupiter.api.Test
  void givenCommittedWebhookDeliveryHistory_whenReplayed_thenItIsDeterministic() throws Exception {
    String history = read("/histories/webhook-delivery-retry.json");
    assertThat(history).contains("DeliverWebhook").contains("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED");
    WorkflowReplayer.replayWorkflowExecution(history, WebhookDeliveryWorkflowImpl.class);
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = InterruptWorkflowReplayTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("test resource %s", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
