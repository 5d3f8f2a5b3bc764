package dev.interlock.server;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Asks a real Temporal server what an operator asks it with the CLI or the Web UI: which
 * search attributes the namespace has, which workflows a visibility query finds, what a
 * workflow's history says. Tests use it to see Temporal's side of what Interlock did, not
 * only Interlock's own account.
 */
final class TemporalInspector implements AutoCloseable {

  private final WorkflowServiceStubs stubs;
  private final String namespace;

  TemporalInspector(String target, String namespace) {
    this.stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    this.namespace = namespace;
  }

  /** The namespace's custom search attributes with their types. */
  Map<String, IndexedValueType> searchAttributes() {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setChannel(stubs.getRawChannel())
            .validateAndBuildWithDefaults());
    try {
      return operator.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder()
              .setNamespace(namespace).build())
          .getCustomAttributesMap();
    } finally {
      operator.shutdownNow();
    }
  }

  /** Every workflow the visibility query matches (all pages). */
  List<WorkflowExecutionInfo> list(String query) {
    List<WorkflowExecutionInfo> found = new ArrayList<>();
    ListWorkflowExecutionsRequest.Builder request = ListWorkflowExecutionsRequest.newBuilder()
        .setNamespace(namespace).setQuery(query).setPageSize(1000);
    while (true) {
      ListWorkflowExecutionsResponse page = stubs.blockingStub()
          .withDeadlineAfter(10, TimeUnit.SECONDS).listWorkflowExecutions(request.build());
      found.addAll(page.getExecutionsList());
      if (page.getNextPageToken().isEmpty()) {
        return found;
      }
      request.setNextPageToken(page.getNextPageToken());
    }
  }

  /**
   * The query's workflow ids once {@code until} accepts them: visibility is written a moment
   * after the workflow itself, so a fresh start may not be listed at once. Returns the last
   * answer when {@code within} runs out.
   */
  List<String> awaitWorkflowIds(String query, Predicate<List<String>> until, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<String> ids = list(query).stream().map(e -> e.getExecution().getWorkflowId()).toList();
      if (until.test(ids) || System.nanoTime() > deadline) {
        return ids;
      }
      Thread.sleep(200);
    }
  }

  /** When the last timer of the workflow fired, from its history; null if none did. */
  Instant timerFiredAt(String workflowId) {
    GetWorkflowExecutionHistoryRequest.Builder request = GetWorkflowExecutionHistoryRequest
        .newBuilder().setNamespace(namespace)
        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId));
    Instant fired = null;
    while (true) {
      GetWorkflowExecutionHistoryResponse page = stubs.blockingStub()
          .withDeadlineAfter(10, TimeUnit.SECONDS).getWorkflowExecutionHistory(request.build());
      for (HistoryEvent event : page.getHistory().getEventsList()) {
        if (event.getEventType() == EventType.EVENT_TYPE_TIMER_FIRED) {
          fired = Instant.ofEpochSecond(event.getEventTime().getSeconds(),
              event.getEventTime().getNanos());
        }
      }
      if (page.getNextPageToken().isEmpty()) {
        return fired;
      }
      request.setNextPageToken(page.getNextPageToken());
    }
  }

  @Override
  public void close() {
    stubs.shutdownNow();
  }
}
