package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import dev.interlock.workflows.InterlockSearchAttributes;
import dev.interlock.workflows.InterruptWorkflow;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Temporal server every interrupt workflow carries Interlock's search attributes,
 * memo and summary, so an operator can ask Temporal itself "pending interrupts of agent X
 * expiring within the hour". Asked here exactly as an operator's tool would: with
 * ListWorkflowExecutions against the application's dev server.
 */
class DevServerSearchAttributesTest {

  @TempDir static Path data;
  static TestApp app;
  static WorkflowServiceStubs stubs;
  static WorkflowClient client;

  @BeforeAll
  static void start() {
    app = new TestApp(data, TestTemporal.devServerOverrides()).start();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:" + app.configuration().temporal.port).build());
    client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  @AfterAll
  static void stop() {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (app != null) {
      app.close();
    }
  }

  private record Created(String id, Instant expiresAt) {
    String workflowId() {
      return "interrupt-" + id;
    }
  }

  private static Created create(String agent, String action, int expiresIn) {
    Map<String, Object> body = interrupt("user-sa", action, "expiresIn", expiresIn);
    body.put("agentId", agent);
    Resp r = app.post("/interrupts", ADMIN_KEY, body);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return new Created(r.text("interruptId"), Instant.parse(r.text("expiresAt")));
  }

  private static List<WorkflowExecutionMetadata> list(String query) {
    var response = stubs.blockingStub().listWorkflowExecutions(ListWorkflowExecutionsRequest
        .newBuilder().setNamespace("default").setQuery(query).setPageSize(100).build());
    return response.getExecutionsList().stream()
        .map(info -> new WorkflowExecutionMetadata(info, DefaultDataConverter.STANDARD_INSTANCE))
        .toList();
  }

  private static Set<String> ids(List<WorkflowExecutionMetadata> executions) {
    return executions.stream().map(e -> e.getExecution().getWorkflowId())
        .collect(Collectors.toSet());
  }

  /** Visibility is eventually consistent: polls until the query lists exactly these. */
  private static List<WorkflowExecutionMetadata> awaitExactly(String query, Set<String> expected) {
    TestApp.eventually(Duration.ofSeconds(10), () -> ids(list(query)).equals(expected));
    List<WorkflowExecutionMetadata> found = list(query);
    assertThat(ids(found)).as(query).isEqualTo(expected);
    return found;
  }

  private static String inList(Created... created) {
    return java.util.Arrays.stream(created).map(c -> "'" + c.workflowId() + "'")
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private static String ownerOf(String id) {
    return app.jdbi().withHandle(h -> h.createQuery(
        "select owner_id from interrupts where id = cast(:id as uuid)")
        .bind("id", id).mapTo(String.class).one());
  }

  /** The memo, the summary and all seven attributes of one listed workflow. */
  private static void assertDescribed(WorkflowExecutionMetadata listed, Created created,
      String agent, String action, String status) {
    assertThat(listed.getExecution().getWorkflowId())
        .isEqualTo(InterruptWorkflow.workflowId(created.id()));

    @SuppressWarnings("unchecked")
    Map<String, Object> memo = (Map<String, Object>) listed.getMemo("interrupt", Map.class);
    assertThat(memo).containsEntry("id", created.id()).containsEntry("agentId", agent)
        .containsEntry("action", action).containsEntry("source", "loopin");
    assertThat(listed.getMemo("status", String.class)).isEqualTo(status);

    SearchAttributes attributes = listed.getTypedSearchAttributes();
    assertThat(attributes.get(InterlockSearchAttributes.STATUS)).isEqualTo(status);
    assertThat(attributes.get(InterlockSearchAttributes.AGENT)).isEqualTo(agent);
    assertThat(attributes.get(InterlockSearchAttributes.SOURCE)).isEqualTo("loopin");
    assertThat(attributes.get(InterlockSearchAttributes.OWNER)).isEqualTo(ownerOf(created.id()));
    assertThat(attributes.get(InterlockSearchAttributes.ACTION)).isEqualTo(action);
    // The core scale, the same for every dialect (LoopIn's "medium" is "normal").
    assertThat(attributes.get(InterlockSearchAttributes.URGENCY)).isEqualTo("normal");
    // The API renders milliseconds; the attribute carries the stored microseconds.
    assertThat(attributes.get(InterlockSearchAttributes.EXPIRES_AT).toInstant()
        .truncatedTo(ChronoUnit.MILLIS)).isEqualTo(created.expiresAt());

    // The static summary is not part of a list entry: Describe has it.
    String summary = client.newUntypedWorkflowStub(listed.getExecution().getWorkflowId())
        .describe().getStaticSummary();
    assertThat(summary).isEqualTo("[loopin] " + action + " (agent " + agent + ")");
  }

  @Test
  void givenPendingInterrupts_whenQueriedByStatusAgentAndExpiry_thenExactlyTheMatchingOnes() {
    Created soon = create("agent-x", "Pay invoice 17", 1800);
    Created later = create("agent-x", "Pay invoice 18", 3000);
    Created tomorrow = create("agent-x", "Pay invoice 19", 86_400);
    Created otherAgent = create("agent-y", "Pay invoice 20", 1800);
    // First everything is visible, so that what the query leaves out it leaves out by its
    // conditions and not because visibility lags.
    awaitExactly("WorkflowId IN " + inList(soon, later, tomorrow, otherAgent)
        + " AND InterlockStatus = 'pending'", Set.of(soon.workflowId(), later.workflowId(),
            tomorrow.workflowId(), otherAgent.workflowId()));

    String inAnHour = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
        .toString();
    List<WorkflowExecutionMetadata> found = awaitExactly("InterlockStatus = \"pending\""
        + " AND InterlockAgent = \"agent-x\" AND InterlockExpiresAt < \"" + inAnHour + "\"",
        Set.of(soon.workflowId(), later.workflowId()));

    for (WorkflowExecutionMetadata listed : found) {
      Created created = listed.getExecution().getWorkflowId().equals(soon.workflowId()) ? soon : later;
      String action = created == soon ? "Pay invoice 17" : "Pay invoice 18";
      assertDescribed(listed, created, "agent-x", action, "pending");
    }
  }

  @Test
  void givenDecided_whenQueriedByApprovedStatus_thenFoundWithUpdatedMemoAndNoLongerPending() {
    Created decided = create("agent-d", "Ship order 5", 1800);
    Created untouched = create("agent-d", "Ship order 6", 1800);
    awaitExactly("InterlockAgent = 'agent-d' AND InterlockStatus = 'pending'",
        Set.of(decided.workflowId(), untouched.workflowId()));

    Resp r = app.post("/interrupts/" + decided.id() + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "fine"));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);

    List<WorkflowExecutionMetadata> approved = awaitExactly(
        "InterlockStatus = \"approved\" AND InterlockAgent = \"agent-d\"",
        Set.of(decided.workflowId()));
    assertDescribed(approved.get(0), decided, "agent-d", "Ship order 5", "approved");
    awaitExactly("InterlockAgent = 'agent-d' AND InterlockStatus = 'pending'",
        Set.of(untouched.workflowId()));
  }
}
