package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.server.TestApp.Resp;
import dev.interlock.workflows.InterruptWorkflow;
import io.dropwizard.testing.ConfigOverride;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts on a dev server: unlike the embedded server, it keeps its workflows in the data
 * directory, so the recovery pass must find every one still running and start none. Also
 * the two things that can hold the dev server's port at start: a dev server of this data
 * directory left by an earlier run (stopped), and anything else (a clear refusal).
 */
class DevServerRecoveryTest {

  private static final int PENDING = 3;

  @TempDir Path data;

  /** A dev server on these ports, so that a second start on the same data dir reuses them. */
  private static List<ConfigOverride> devServer(int port, int uiPort) {
    return List.of(
        ConfigOverride.config("temporal.mode", "devserver"),
        ConfigOverride.config("temporal.cliPath", TestTemporal.cli().toString()),
        ConfigOverride.config("temporal.port", Integer.toString(port)),
        ConfigOverride.config("temporal.uiPort", Integer.toString(uiPort)));
  }

  private static WorkflowServiceStubs stubs(int port) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:" + port).build());
  }

  /** Every execution with this workflow id, open or closed. */
  private static List<WorkflowExecutionInfo> executions(WorkflowServiceStubs stubs, String id) {
    return stubs.blockingStub().listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
        .setNamespace("default")
        .setQuery("WorkflowId = '" + InterruptWorkflow.workflowId(id) + "'")
        .build()).getExecutionsList();
  }

  private static String recoverTask(TestApp app) throws Exception {
    HttpResponse<String> task = app.http().send(
        HttpRequest.newBuilder(URI.create(app.adminBase() + "/tasks/recover"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(task.statusCode()).as(task.body()).isEqualTo(200);
    return task.body();
  }

  @Test
  void givenPendingInterrupts_whenRestartedOnTheSameDevServerState_thenFoundRunningAndNoneStarted()
      throws Exception {
    List<ConfigOverride> temporal = devServer(TestTemporal.freePort(), TestTemporal.freePort());
    List<String> ids = new ArrayList<>();
    String firstPort;
    try (TestApp first = new TestApp(data, temporal).start()) {
      firstPort = first.configuration().temporal.port;
      for (int i = 0; i < PENDING; i++) {
        Resp r = first.post("/interrupts", ADMIN_KEY, interrupt("u", "Survive restart " + i));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        ids.add(r.text("interruptId"));
      }
    }

    try (TestApp second = new TestApp(data, temporal).start()) {
      assertThat(second.configuration().temporal.port).isEqualTo(firstPort);
      int port = Integer.parseInt(firstPort);
      assertThat(eventually(Duration.ofSeconds(30), () -> "done".equals(
          second.get("/health", null).body().path("checks").path("recovery").asText()))).isTrue();

      // The workflows came back with the dev server's SQLite file: none re-created.
      assertThat(recoverTask(second))
          .contains("checked " + PENDING + ", re-created 0, already running " + PENDING);

      WorkflowServiceStubs stubs = stubs(port);
      try {
        for (String id : ids) {
          assertThat(eventually(Duration.ofSeconds(10), () -> executions(stubs, id).size() == 1))
              .isTrue();
          List<WorkflowExecutionInfo> runs = executions(stubs, id);
          assertThat(runs).as("executions of interrupt %s", id).hasSize(1);
          assertThat(runs.get(0).getStatus())
              .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        }

        for (String id : ids) {
          Resp decided = second.post("/interrupts/" + id + "/decide", ADMIN_KEY,
              Map.of("decision", "approved", "reason", "after restart"));
          assertThat(decided.status()).as(decided.raw().body()).isEqualTo(200);
          assertThat(second.get("/interrupts/" + id, ADMIN_KEY).text("status"))
              .isEqualTo("approved");
        }
        // Deciding went to the one execution that was there, not to a new one.
        for (String id : ids) {
          assertThat(executions(stubs, id)).hasSize(1);
        }
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  @Test
  void givenDevServerLeftByAnEarlierRun_whenStarted_thenStopsItAndRunsItsOwn() throws Exception {
    int port = TestTemporal.freePort();
    int uiPort = TestTemporal.freePort();
    Path stateDir = Files.createDirectories(data.toAbsolutePath().resolve("temporal"));
    // What an Interlock killed with -9 on a system without the wrapper's pipe would leave:
    // a dev server on its ports and SQLite file, and its pid in devserver.pid.
    Process leftover = new ProcessBuilder(TestTemporal.cli().toString(), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", Integer.toString(port),
        "--ui-port", Integer.toString(uiPort),
        "--db-filename", stateDir.resolve("temporal.db").toString(),
        "--namespace", "default", "--log-level", "warn")
        .redirectErrorStream(true)
        .redirectOutput(stateDir.resolve("leftover.log").toFile())
        .start();
    try {
      WorkflowServiceStubs stubs = stubs(port);
      try {
        assertThat(eventually(Duration.ofSeconds(60), () -> {
          try {
            stubs.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
                .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            return true;
          } catch (RuntimeException notYet) {
            return false;
          }
        })).as("the leftover dev server answers").isTrue();
      } finally {
        stubs.shutdownNow();
      }
      Files.writeString(stateDir.resolve("devserver.pid"), leftover.pid() + "\n");

      try (TestApp app = new TestApp(data, devServer(port, uiPort)).start()) {
        assertThat(app.configuration().temporal.port).isEqualTo(Integer.toString(port));
        assertThat(leftover.waitFor(5, TimeUnit.SECONDS)).as("the leftover was stopped").isTrue();
        long own = Long.parseLong(Files.readString(stateDir.resolve("devserver.pid")).trim());
        assertThat(own).isNotEqualTo(leftover.pid());
        assertThat(ProcessHandle.of(own).map(ProcessHandle::isAlive)).contains(true);

        Resp health = app.get("/health", null);
        assertThat(health.status()).as(health.raw().body()).isEqualTo(200);
        assertThat(health.body().path("checks").path("temporal").asText()).isEqualTo("ok");
        Resp created = app.post("/interrupts", ADMIN_KEY, interrupt("u", "After the leftover"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String id = created.text("interruptId");
        assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY,
            Map.of("decision", "rejected")).status()).isEqualTo(200);
      }
    } finally {
      leftover.destroyForcibly();
    }
  }

  @Test
  void givenPortHeldBySomethingElse_whenStarted_thenFailsSayingHowToUseItOrMove() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      TestApp app = new TestApp(data, devServer(port, TestTemporal.freePort()));
      try {
        assertThatThrownBy(app::start)
            .rootCause()
            .hasMessageContaining("port " + port + " on 127.0.0.1 is in use")
            .hasMessageContaining("TEMPORAL_MODE=external TEMPORAL_TARGET=127.0.0.1:" + port)
            .hasMessageContaining("temporal.port (TEMPORAL_PORT)");
        assertThat(data.resolve("temporal/devserver.pid")).doesNotExist();
        // What the failed start had started (the embedded PostgreSQL) was stopped again.
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
      } finally {
        app.close();
        stopEmbeddedPostgres(data.resolve("postgres"));
      }
    }
  }

  /** Should the application fail to stop its PostgreSQL, it must not outlive the test. */
  private static void stopEmbeddedPostgres(Path dir) throws Exception {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    var postmaster = ProcessHandle.of(pid);
    if (postmaster.isEmpty()) {
      return;
    }
    // SIGINT, PostgreSQL's fast shutdown: the failed start's connection pool still holds
    // connections, which a SIGTERM (smart shutdown) would wait for.
    new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
    try {
      postmaster.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      postmaster.get().destroyForcibly();
    }
  }
}
