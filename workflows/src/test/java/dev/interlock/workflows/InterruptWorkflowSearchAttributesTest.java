package dev.interlock.workflows;

import static dev.interlock.workflows.InterruptHarness.TWO_DAYS_MILLIS;
import static dev.interlock.workflows.InterruptHarness.approve;
import static dev.interlock.workflows.InterruptHarness.resultOf;
import static dev.interlock.workflows.InterruptHarness.writeHistory;
import static dev.interlock.workflows.InterlockSearchAttributes.ACTION;
import static dev.interlock.workflows.InterlockSearchAttributes.AGENT;
import static dev.interlock.workflows.InterlockSearchAttributes.EXPIRES_AT;
import static dev.interlock.workflows.InterlockSearchAttributes.OWNER;
import static dev.interlock.workflows.InterlockSearchAttributes.SOURCE;
import static dev.interlock.workflows.InterlockSearchAttributes.STATUS;
import static dev.interlock.workflows.InterlockSearchAttributes.URGENCY;
import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real Temporal server interrupts carry Interlock's search attributes and upsert
 * InterlockStatus on every transition. The test server keeps a visibility record per
 * execution (set at start, changed by upserts) and returns it from DescribeWorkflowExecution,
 * which is what these tests read, through {@link WorkflowStub#describe()}. Interrupts started
 * without the attributes (the embedded server, which has none registered) must never upsert.
 */
class InterruptWorkflowSearchAttributesTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = InterruptHarness.extensionWithSearchAttributes();

  private final RecordingActivities activities = new RecordingActivities();
  private InterruptHarness harness;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    harness = new InterruptHarness(env, worker, client, options, activities).startWorkers();
  }

  @Test
  void givenInterruptStartedWithSearchAttributes_whenApproved_thenStatusIsUpsertedAndTheOthersKept()
      throws Exception {
    long expiresAt = harness.now() + TWO_DAYS_MILLIS;
    SearchAttributes started = pendingAttributes(expiresAt);
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, true), started);
    assertThat(readable(searchAttributesOf(workflow))).isEqualTo(readable(started));

    InterruptState decided = workflow.decide(approve());

    assertThat(decided.status()).isEqualTo(InterruptStatus.APPROVED);
    assertThat(searchAttributesOf(workflow).get(STATUS)).isEqualTo("approved");
    assertThat(resultOf(workflow)).isEqualTo(decided);
    assertThat(readable(searchAttributesOf(workflow)))
        .isEqualTo(readable(withStatus(started, "approved")));
    WorkflowExecutionHistory history = harness.history(workflow);
    // One upsert, of the status alone: the other six are left as the start set them.
    assertThat(upsertedStatuses(history)).containsExactly("approved");
    WorkflowReplayer.replayWorkflowExecution(history, InterruptWorkflowImpl.class);
    writeHistory("interrupt-decide-callback-search-attributes.json", history);
  }

  @Test
  void givenInterruptStartedWithSearchAttributes_whenItExpires_thenStatusIsExpired() {
    long expiresAt = harness.now() + TWO_DAYS_MILLIS;
    SearchAttributes started = pendingAttributes(expiresAt);
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, false), started);

    InterruptState result = resultOf(workflow);

    assertThat(result.status()).isEqualTo(InterruptStatus.EXPIRED);
    assertThat(readable(searchAttributesOf(workflow)))
        .isEqualTo(readable(withStatus(started, "expired")));
    assertThat(upsertedStatuses(harness.history(workflow))).containsExactly("expired");
  }

  @Test
  void givenInterruptStartedWithSearchAttributes_whenCancelled_thenStatusIsCancelled() {
    long expiresAt = harness.now() + TWO_DAYS_MILLIS;
    SearchAttributes started = pendingAttributes(expiresAt);
    InterruptWorkflow workflow =
        harness.start(InterruptRequest.fresh(harness.nextId(), expiresAt, false), started);

    InterruptState cancelled = workflow.cancel(new CancelCommand("agent one", "no longer needed", "key:a1"));

    assertThat(cancelled.status()).isEqualTo(InterruptStatus.CANCELLED);
    assertThat(resultOf(workflow)).isEqualTo(cancelled);
    assertThat(readable(searchAttributesOf(workflow)))
        .isEqualTo(readable(withStatus(started, "cancelled")));
    assertThat(upsertedStatuses(harness.history(workflow))).containsExactly("cancelled");
  }

  @Test
  void givenInterruptStartedWithoutSearchAttributes_whenApproved_thenNoStatusIsUpserted() {
    InterruptWorkflow workflow = harness.startPending(false);

    assertThat(decideWithinTenSeconds(workflow).status()).isEqualTo(InterruptStatus.APPROVED);

    assertThat(resultOf(workflow).status()).isEqualTo(InterruptStatus.APPROVED);
    // The attributes are registered here, so an upsert would have been accepted and shown.
    assertThat(readable(searchAttributesOf(workflow))).isEmpty();
    assertThat(harness.history(workflow).getEvents())
        .extracting(HistoryEvent::getEventType)
        .contains(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
        .doesNotContain(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  }

  @Test
  void givenServerWithoutInterlockSearchAttributes_whenAnInterruptIsApproved_thenItCompletes()
      throws Exception {
    // Like the embedded server: nothing registered. Upserting an unknown attribute fails every
    // workflow task, so the decision would never return; bounded so that fails, not hangs.
    TestWorkflowEnvironment bare = TestWorkflowEnvironment.newInstance();
    try {
      String taskQueue = "interrupts-without-search-attributes";
      Worker worker = bare.newWorker(taskQueue);
      worker.registerWorkflowImplementationTypes(InterruptWorkflowImpl.class);
      RecordingActivities bareActivities = new RecordingActivities();
      InterruptHarness bareHarness = new InterruptHarness(bare, worker, bare.getWorkflowClient(),
          WorkflowOptions.newBuilder().setTaskQueue(taskQueue).build(), bareActivities)
          .startWorkers();
      InterruptWorkflow workflow = bareHarness.startPending(false);

      InterruptState decided = decideWithinTenSeconds(workflow);

      assertThat(decided.status()).isEqualTo(InterruptStatus.APPROVED);
      assertThat(WorkflowStub.fromTyped(workflow).getResult(10, TimeUnit.SECONDS,
          InterruptState.class)).isEqualTo(decided);
      assertThat(bareActivities.transitions()).containsExactly(decided);
    } finally {
      bare.close();
    }
  }

  /** What the server sets when it starts an interrupt (see WorkflowStarter in the server). */
  private static SearchAttributes pendingAttributes(long expiresAtMillis) {
    return SearchAttributes.newBuilder()
        .set(STATUS, "pending")
        .set(SOURCE, "mcp")
        .set(OWNER, "owner-1")
        .set(AGENT, "agent-7")
        .set(ACTION, "Refund order 1234 (50 EUR)")
        .set(URGENCY, "high")
        .set(EXPIRES_AT, Instant.ofEpochMilli(expiresAtMillis).atOffset(ZoneOffset.UTC))
        .build();
  }

  private static SearchAttributes withStatus(SearchAttributes attributes, String status) {
    return SearchAttributes.newBuilder(attributes).set(STATUS, status).build();
  }

  /**
   * On another thread: the update call itself blocks until a workflow task accepts the update,
   * which never happens while every workflow task fails.
   */
  private static InterruptState decideWithinTenSeconds(InterruptWorkflow workflow) {
    CompletableFuture<InterruptState> decided =
        CompletableFuture.supplyAsync(() -> workflow.decide(approve()));
    assertThat(decided).succeedsWithin(Duration.ofSeconds(10));
    return decided.join();
  }

  /** The execution's visibility record, from DescribeWorkflowExecution, decoded by type. */
  private static SearchAttributes searchAttributesOf(InterruptWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).describe().getTypedSearchAttributes();
  }

  /**
   * Attributes as "name (type)" to value, so that a failed comparison shows them
   * ({@link SearchAttributes} has no toString); the type is part of the key because an
   * attribute read back with another type is a different attribute.
   */
  private static Map<String, Object> readable(SearchAttributes attributes) {
    Map<String, Object> values = new TreeMap<>();
    attributes.getUntypedValues().forEach((key, value) ->
        values.put(key.getName() + " (" + key.getValueType() + ")", value));
    return values;
  }

  /** Every InterlockStatus value the workflow upserted, in order; no other attribute may be. */
  private static List<String> upsertedStatuses(WorkflowExecutionHistory history) {
    List<io.temporal.api.common.v1.SearchAttributes> upserts = history.getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .map(e -> e.getUpsertWorkflowSearchAttributesEventAttributes().getSearchAttributes())
        .toList();
    assertThat(upserts)
        .allSatisfy(u -> assertThat(u.getIndexedFieldsMap()).containsOnlyKeys(STATUS.getName()));
    return upserts.stream()
        .map(u -> u.getIndexedFieldsOrThrow(STATUS.getName()))
        .map(p -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(p, String.class, String.class))
        .toList();
  }
}
