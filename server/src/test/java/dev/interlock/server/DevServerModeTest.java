package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.workflows.InterlockSearchAttributes;
import io.dropwizard.testing.ConfigOverride;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code temporal.mode: auto} with a Temporal CLI configured runs the application on its own
 * managed dev server, with its state in the data directory, and stops it on a clean stop.
 * (How the mode is chosen, case by case, is {@code TemporalModeTest}.)
 */
class DevServerModeTest {

  @TempDir Path data;

  @Test
  void givenAutoAndCliPath_whenStarted_thenRunsOnAManagedDevServerInTheDataDir() throws Exception {
    int port = TestTemporal.freePort();
    Path stateDir = data.toAbsolutePath().resolve("temporal");
    long serverPid;
    try (TestApp app = new TestApp(data, List.of(
        ConfigOverride.config("temporal.mode", "auto"),
        ConfigOverride.config("temporal.cliPath", TestTemporal.cli().toString()),
        ConfigOverride.config("temporal.port", Integer.toString(port)),
        ConfigOverride.config("temporal.uiPort", "0"))).start()) {
      assertThat(app.get("/health", null).body().path("checks").path("temporal").asText())
          .isEqualTo("ok");

      serverPid = Long.parseLong(Files.readString(stateDir.resolve("devserver.pid")).trim());
      ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
      assertThat(server.info().commandLine()).hasValueSatisfying(line -> assertThat(line)
          .contains("start-dev")
          .contains("--port " + port)
          .contains("--db-filename " + stateDir.resolve("temporal.db"))
          .contains("--headless"));
      assertThat(stateDir.resolve("temporal.db")).exists();

      // Devserver mode registers Interlock's search attributes on the namespace.
      OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
          OperatorServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port)
              .validateAndBuildWithDefaults());
      try {
        var listed = operator.blockingStub().listSearchAttributes(
            ListSearchAttributesRequest.newBuilder().setNamespace("default").build());
        assertThat(listed.getCustomAttributesMap())
            .containsAllEntriesOf(InterlockSearchAttributes.definitions());
      } finally {
        operator.shutdownNow();
      }
    }
    // A clean stop stops the dev server too and removes its pid file.
    assertThat(TestApp.eventually(Duration.ofSeconds(10),
        () -> ProcessHandle.of(serverPid).map(h -> !h.isAlive()).orElse(true))).isTrue();
    assertThat(stateDir.resolve("devserver.pid")).doesNotExist();
  }
}
