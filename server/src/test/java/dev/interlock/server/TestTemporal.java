package dev.interlock.server;

import io.dropwizard.testing.ConfigOverride;
import java.io.IOException;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Which Temporal the tests' applications run on. By default the embedded test server; with
 * {@code -Dinterlock.test.temporalMode=devserver} (the build's {@code devserver} test run)
 * every {@link TestApp} runs its own managed {@code temporal server start-dev}, exactly as a
 * user's server does in devserver mode, on free ports, with its SQLite file in the test's
 * data directory, so a second start on that directory is a real restart of a real server.
 *
 * <p>The CLI comes from {@code -Dinterlock.temporalCli} (the build points it at
 * {@code .tools/bin/temporal}, which {@code .ci/install-temporal-cli} builds). Without it the
 * dev-server tests are skipped with a message, except in CI ({@code CI=true}), where a
 * missing CLI fails them.
 */
public final class TestTemporal {

  private TestTemporal() {}

  /** The mode the tests were asked to run in: embedded or devserver. */
  public static String mode() {
    return System.getProperty("interlock.test.temporalMode", "embedded").trim();
  }

  public static boolean devServer() {
    return "devserver".equals(mode());
  }

  /**
   * The Temporal CLI for dev-server tests. Skips the calling test when it is missing, or
   * fails it in CI.
   */
  public static Path cli() {
    String configured = System.getProperty("interlock.temporalCli", "");
    Path cli = configured.isBlank() ? null : Path.of(configured);
    if (cli == null || !Files.isExecutable(cli)) {
      String message = "no Temporal CLI at '" + configured + "' (-Dinterlock.temporalCli); build it"
          + " with .ci/install-temporal-cli";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI needs the dev-server tests: " + message);
      }
      Assumptions.abort("dev-server tests skipped: " + message);
    }
    return cli;
  }

  /** Settings for a TestApp in the requested mode: nothing for embedded. */
  static List<ConfigOverride> overrides() {
    if (!devServer()) {
      return List.of();
    }
    return devServerOverrides();
  }

  /** A managed dev server on free ports, with its Web UI on a free port too. */
  public static List<ConfigOverride> devServerOverrides() {
    return List.of(
        ConfigOverride.config("temporal.mode", "devserver"),
        ConfigOverride.config("temporal.cliPath", cli().toString()),
        ConfigOverride.config("temporal.port", Integer.toString(freePort())),
        ConfigOverride.config("temporal.uiPort", Integer.toString(freePort())));
  }

  /** Pins a test to the embedded Temporal, whichever mode the run asked for. */
  public static ConfigOverride embedded() {
    return ConfigOverride.config("temporal.mode", "embedded");
  }

  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free loopback port for a Temporal server, below the kernel's ephemeral range
   * (32768-60999 on Linux). A port the OS hands out for "any free port" may be handed out
   * again before the dev server binds it: to the dev server itself, which picks its HTTP API
   * and metrics ports that way, or as the local end of any outgoing connection. Seen in CI:
   * the Web UI's port, taken from that range, was in use by the time the UI bound it.
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        HANDED_OUT.add(port);
        return port;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000-31999 on loopback");
  }

}
