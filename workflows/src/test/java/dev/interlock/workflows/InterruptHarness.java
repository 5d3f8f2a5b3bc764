package dev.interlock.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Small fixture around the test environment that {@link TestWorkflowExtension} gives each
 * test: it registers the recording activities, starts interrupts and builds commands.
 */
final class InterruptHarness {

  static final String ACTOR = "agent one";
  static final String ACTOR_ID = "key:k1";
  static final long TWO_DAYS_MILLIS = Duration.ofDays(2).toMillis();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestWorkflowEnvironment env;
  private final WorkflowClient client;
  private final WorkflowOptions options;
  private final RecordingActivities activities;
  private final AtomicInteger ids = new AtomicInteger();

  /** The worker is created but not polling until {@link #startWorkers()}. */
  static TestWorkflowExtension extension() {
    return extensionBuilder().build();
  }

  /**
   * Like {@link #extension()}, on a test server where Interlock's search attributes are
   * registered, as they are on a real Temporal server.
   */
  static TestWorkflowExtension extensionWithSearchAttributes() {
    TestWorkflowExtension.Builder builder = extensionBuilder();
    InterlockSearchAttributes.definitions().forEach(builder::registerSearchAttribute);
    return builder.build();
  }

  /**
   * Like {@link #extension()}, on a worker that keeps no workflow in its cache: every
   * workflow task replays the history from the start, as a worker does that has just been
   * restarted, so whatever the workflow holds must come back from its history.
   */
  static TestWorkflowExtension extensionWithoutCache() {
    return extensionBuilder()
        .setWorkerFactoryOptions(
            io.temporal.worker.WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build())
        .build();
  }

  private static TestWorkflowExtension.Builder extensionBuilder() {
    return TestWorkflowExtension.newBuilder()
        .registerWorkflowImplementationTypes(InterruptWorkflowImpl.class)
        .setDoNotStart(true);
  }

  InterruptHarness(
      TestWorkflowEnvironment env,
      Worker worker,
      WorkflowClient client,
      WorkflowOptions options,
      RecordingActivities activities) {
    this.env = env;
    this.client = client;
    this.options = options;
    this.activities = activities;
    worker.registerActivitiesImplementations(activities);
  }

  InterruptHarness startWorkers() {
    env.start();
    return this;
  }

  long now() {
    return env.currentTimeMillis();
  }

  /** Lets time pass on the environment's (skipped) clock. */
  void sleep(Duration duration) {
    env.sleep(duration);
  }

  /** Starts a new interrupt that expires two days from now. */
  InterruptWorkflow startPending(boolean hasCallback) {
    return start(InterruptRequest.fresh(nextId(), now() + TWO_DAYS_MILLIS, hasCallback));
  }

  InterruptWorkflow start(InterruptRequest request) {
    return start(request, null);
  }

  /** Starts an interrupt with these search attributes, as the server does on a real Temporal. */
  InterruptWorkflow start(InterruptRequest request, SearchAttributes searchAttributes) {
    InterruptWorkflow workflow = searchAttributes == null
        ? stub(request.interruptId())
        : client.newWorkflowStub(
            InterruptWorkflow.class,
            WorkflowOptions.newBuilder(optionsFor(request.interruptId()))
                .setTypedSearchAttributes(searchAttributes)
                .build());
    // No wait for the first workflow task: a command that lands in it is validated against
    // the state the @WorkflowInit constructor set (InterruptWorkflowFirstTaskTest).
    WorkflowClient.start(workflow::run, request);
    return workflow;
  }

  InterruptWorkflow stub(String interruptId) {
    return client.newWorkflowStub(InterruptWorkflow.class, optionsFor(interruptId));
  }

  private WorkflowOptions optionsFor(String interruptId) {
    return WorkflowOptions.newBuilder(options)
        .setWorkflowId(InterruptWorkflow.workflowId(interruptId))
        .build();
  }

  WorkflowExecutionHistory history(InterruptWorkflow workflow) {
    return client.fetchHistory(WorkflowStub.fromTyped(workflow).getExecution().getWorkflowId());
  }

  /**
   * With {@code -Dinterlock.writeHistories=DIR} a test's run is written to DIR under this name;
   * that is how the committed {@code histories/*.json} replay files are made.
   */
  static void writeHistory(String name, WorkflowExecutionHistory history) throws IOException {
    String dir = System.getProperty("interlock.writeHistories");
    // Never over an existing file: a committed history is what running workflows did, and a
    // new code path gets a new name.
    if (dir != null && !Files.exists(Path.of(dir, name))) {
      Files.writeString(Path.of(dir, name), history.toJson(true));
    }
  }

  /** Waits for the workflow's result; the test environment skips time while it waits. */
  static InterruptState resultOf(InterruptWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).getResult(InterruptState.class);
  }

  String nextId() {
    return "i-" + ids.incrementAndGet();
  }

  static DecideCommand approve(String reason, JsonNode modifiedParams) {
    return new DecideCommand(Decision.APPROVED, reason, modifiedParams, ACTOR, null, ACTOR_ID);
  }

  /** An approval by someone else than {@link #ACTOR}: {@code name} reads, {@code id} counts. */
  static DecideCommand approveAs(String name, String id) {
    return new DecideCommand(Decision.APPROVED, "fine by " + name, null, name, null, id);
  }

  static DecideCommand rejectAs(String name, String id) {
    return new DecideCommand(Decision.REJECTED, "not by " + name, null, name, null, id);
  }

  /** A new interrupt that needs {@code required} approvals and expires two days from now. */
  InterruptWorkflow startQuorum(int required, boolean hasCallback) {
    return start(new InterruptRequest(nextId(), now() + TWO_DAYS_MILLIS, hasCallback, null,
        false, required, List.of()));
  }

  static DecideCommand approve() {
    return approve("looks fine", null);
  }

  static DecideCommand reject() {
    return new DecideCommand(Decision.REJECTED, "too risky", null, ACTOR, null, ACTOR_ID);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A rejected update: the validator threw, so the client gets the failure synchronously. */
  static void assertRejected(ThrowingCallable update, Class<?> reason, String message) {
    assertThatThrownBy(update)
        .isInstanceOf(WorkflowUpdateException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              // The gateway maps rejections by this type, so it is part of the contract.
              assertThat(failure.getType())
                  .isEqualTo(reason.getName());
              assertThat(failure.getOriginalMessage())
                  .isEqualTo(message);
            });
  }

  static void assertRejectedAsNotPending(ThrowingCallable update, String message) {
    assertRejected(update, NotPending.class, message);
  }
}
