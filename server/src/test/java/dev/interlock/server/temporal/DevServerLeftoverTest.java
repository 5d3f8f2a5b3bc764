package dev.interlock.server.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.server.TestTemporal;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DevServer#start} does with the pid file it finds: only a dev server of its
 * own data directory is a leftover to stop. (The app-level case, a leftover of the same
 * directory, is in {@code DevServerRecoveryTest}.)
 */
class DevServerLeftoverTest {

  @TempDir Path data;

  private static DevServer.Settings settings(Path stateDir, int port, int uiPort) {
    return new DevServer.Settings(TestTemporal.cli(), stateDir.toAbsolutePath(), port, uiPort,
        "default", Duration.ofSeconds(60), false);
  }

  private static boolean answers(DevServer server) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
    try {
      stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return true;
    } catch (RuntimeException e) {
      return false;
    } finally {
      stubs.shutdownNow();
    }
  }

  @Test
  void givenPidFileOfAnotherDataDirsDevServer_whenStarted_thenThatServerKeepsRunning()
      throws Exception {
    // A data directory copied while its Interlock ran (a backup, a second instance) carries
    // the first instance's devserver.pid. Starting the copy must not stop the original.
    try (DevServer original = DevServer.start(settings(data.resolve("a/temporal"),
        TestTemporal.freePort(), 0))) {
      long originalPid = original.serverPid();
      assertThat(originalPid).isPositive();
      Path copy = Files.createDirectories(data.resolve("b/temporal"));
      Files.copy(data.resolve("a/temporal/devserver.pid"), copy.resolve("devserver.pid"));

      try (DevServer second = DevServer.start(settings(copy, TestTemporal.freePort(), 0))) {
        assertThat(ProcessHandle.of(originalPid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(answers(original)).as("the original dev server answers").isTrue();
        assertThat(second.serverPid()).isPositive().isNotEqualTo(originalPid);
        assertThat(answers(second)).isTrue();
      }
    }
  }

  @Test
  void givenPidFileOfAnUnrelatedProcess_whenStarted_thenThatProcessIsLeftAlone() throws Exception {
    // A stale pid file whose pid now belongs to something else that merely mentions
    // "temporal" on its command line (an editor, a `tail -f`, a build with
    // -Dinterlock.temporalCli=...). The `; true` keeps sh from exec'ing sleep.
    Process unrelated = new ProcessBuilder("/bin/sh", "-c", "sleep 120; true", "temporal-notes")
        .start();
    Path stateDir = Files.createDirectories(data.resolve("temporal"));
    Files.writeString(stateDir.resolve("devserver.pid"), unrelated.pid() + "\n");
    int port = TestTemporal.freePort();
    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      // The port is taken so that the start ends right after the leftover check, without
      // launching a server: only what happened to the pid file's process matters here.
      assertThatThrownBy(() -> DevServer.start(settings(stateDir, port, 0)))
          .hasMessageContaining("port " + port);
      assertThat(unrelated.isAlive()).as("the unrelated process is still running").isTrue();
    } finally {
      unrelated.descendants().forEach(ProcessHandle::destroyForcibly);
      unrelated.destroyForcibly();
    }
  }

  @Test
  void givenUiPortInUse_whenStarted_thenFailsNamingTheUiPortSetting() throws Exception {
    int port = TestTemporal.freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int uiPort = taken.getLocalPort();
      // The Web UI port speaks HTTP: pointing TEMPORAL_TARGET at it would be wrong advice.
      assertThatThrownBy(() -> DevServer.start(settings(data.resolve("temporal"), port, uiPort)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + uiPort + " on 127.0.0.1 is in use")
          .hasMessageContaining("Web UI")
          .hasMessageContaining("temporal.uiPort (TEMPORAL_UI_PORT)")
          .hasMessageNotContaining("TEMPORAL_TARGET=127.0.0.1:" + uiPort);
    }
    assertThat(Files.exists(data.resolve("temporal/devserver.pid"))).isFalse();
  }
}
