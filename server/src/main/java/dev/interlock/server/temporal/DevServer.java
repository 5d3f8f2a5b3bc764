package dev.interlock.server.temporal;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal CLI's {@code temporal server start-dev} run as a managed child process: a
 * real single-process Temporal server with its state in a SQLite file in Interlock's data
 * directory, and the Web UI. Interlock starts it, waits until it answers, restarts it when
 * it dies, and stops it on shutdown.
 *
 * <p>A {@code kill -9} of Interlock cannot stop a child directly. On Unix the child runs
 * under a small {@code sh} wrapper that watches Interlock's end of a pipe and stops the
 * server when the pipe closes, which the kernel does when Interlock dies in any way. As a
 * second line, the server's pid is kept in {@code devserver.pid}: a start that finds a live
 * dev server of the same data directory from an earlier run stops it first.
 */
public final class DevServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevServer.class);

  /**
   * Runs the server in the background and stops it (SIGTERM) when standard input reaches
   * end of file; exits with the server's status. fd 3 keeps the real standard input for the
   * watcher, because an asynchronous list gets /dev/null as its standard input.
   */
  private static final String WRAPPER = """
      exec 3<&0
      "$@" </dev/null &
      child=$!
      ( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null ) &
      wait "$child"
      """;

  /** What a dev server needs: where, which ports, which namespace. */
  public record Settings(Path cli, Path stateDir, int port, int uiPort, String namespace,
      Duration startTimeout, boolean restart) {}

  private final Settings settings;
  private final Path dbFile;
  private final Path pidFile;
  private final Path logFile;
  private volatile Process process;
  private volatile boolean closing;
  private volatile Runnable onRestart = () -> {};
  private Thread supervisor;

  private DevServer(Settings settings) {
    this.settings = settings;
    this.dbFile = settings.stateDir().resolve("temporal.db");
    this.pidFile = settings.stateDir().resolve("devserver.pid");
    this.logFile = settings.stateDir().resolve("devserver.log");
  }

  /**
   * The Temporal CLI to run: the configured path (which must exist), else {@code temporal}
   * on the PATH. Empty when neither is there.
   */
  public static Optional<Path> findCli(String configured, Map<String, String> env) {
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured.trim());
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalArgumentException("temporal.cliPath (TEMPORAL_CLI_PATH) is " + path
            + ", which is not an executable file");
      }
      return Optional.of(path.toAbsolutePath());
    }
    String pathVar = env.getOrDefault("PATH", "");
    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    for (String dir : pathVar.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, windows ? "temporal.exe" : "temporal");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /** Starts the dev server and returns once it answers gRPC calls. */
  public static DevServer start(Settings settings) {
    DevServer server = new DevServer(settings);
    try {
      Files.createDirectories(settings.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + settings.stateDir(), e);
    }
    server.stopLeftover();
    server.launch();
    server.supervise();
    return server;
  }

  public String target() {
    return "127.0.0.1:" + settings.port();
  }

  /** The Web UI's address, or null when it is off. */
  public String uiUrl() {
    return settings.uiPort() > 0 ? "http://127.0.0.1:" + settings.uiPort() : null;
  }

  public Path logFile() {
    return logFile;
  }

  /** The dev server's own process id (not the wrapper's), for tests and operators. */
  public long serverPid() {
    try {
      return Long.parseLong(Files.readString(pidFile).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Called after the supervisor restarted a dev server that had died. */
  public void onRestart(Runnable action) {
    this.onRestart = action;
  }

  private List<String> command() {
    List<String> args = new ArrayList<>(List.of(settings.cli().toString(), "server", "start-dev",
        "--ip", "127.0.0.1",
        "--port", Integer.toString(settings.port()),
        "--db-filename", dbFile.toString(),
        "--namespace", settings.namespace(),
        // WAL: readers do not block the writer, and a commit is one sequential write.
        "--sqlite-pragma", "journal_mode=WAL",
        "--log-level", "warn"));
    if (settings.uiPort() > 0) {
      args.addAll(List.of("--ui-port", Integer.toString(settings.uiPort())));
    } else {
      args.add("--headless");
    }
    if (!isWindows()) {
      List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "interlock-devserver"));
      wrapped.addAll(args);
      return wrapped;
    }
    return args;
  }

  private void launch() {
    if (!portFree(settings.port())) {
      throw new IllegalStateException("port " + settings.port() + " on 127.0.0.1 is in use, so"
          + " the Temporal dev server cannot start there. Another Temporal? Point Interlock at"
          + " it with TEMPORAL_MODE=external TEMPORAL_TARGET=127.0.0.1:" + settings.port()
          + ", or choose another port with temporal.port (TEMPORAL_PORT).");
    }
    if (settings.uiPort() > 0 && !portFree(settings.uiPort())) {
      // The Web UI speaks HTTP: unlike the gRPC port, it is no Temporal to point Interlock at.
      throw new IllegalStateException("port " + settings.uiPort() + " on 127.0.0.1 is in use,"
          + " so the Temporal dev server cannot serve its Web UI there. Choose another port"
          + " with temporal.uiPort (TEMPORAL_UI_PORT), or 0 for no Web UI.");
    }
    ProcessBuilder builder = new ProcessBuilder(command())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    long started = System.nanoTime();
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run the Temporal CLI " + settings.cli() + ": "
          + e.getMessage(), e);
    }
    awaitServing(started);
    writePid();
    log.info("Temporal dev server started in {} ms: gRPC {}, {}, state in {} (log {})",
        (System.nanoTime() - started) / 1_000_000, target(),
        uiUrl() == null ? "no Web UI" : "Web UI " + uiUrl(), dbFile, logFile);
  }

  private void awaitServing(long startedNanos) {
    WorkflowServiceStubs probe = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
    try {
      long deadline = startedNanos + settings.startTimeout().toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the Temporal dev server exited with status "
              + process.exitValue() + " while starting; its log " + logFile + " ends with:\n"
              + tail(logFile, 20));
        }
        try {
          probe.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
              .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
          return;
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            // The wrapper's child is the server: stop it too, not only the sh around it.
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("the Temporal dev server did not answer on " + target()
                + " within " + settings.startTimeout().toSeconds() + " s; see " + logFile);
          }
          sleep(100);
        }
      }
    } finally {
      probe.shutdownNow();
    }
  }

  /** The server's own pid: the wrapper's only child, or the process itself without one. */
  private void writePid() {
    long pid = process.pid();
    if (!isWindows()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      Optional<ProcessHandle> child = Optional.empty();
      while (child.isEmpty() && System.nanoTime() < deadline) {
        child = process.toHandle().children()
            .filter(c -> c.info().command().map(cmd -> !cmd.endsWith("sh")).orElse(true))
            .findFirst();
        if (child.isEmpty()) {
          sleep(20);
        }
      }
      pid = child.map(ProcessHandle::pid).orElse(pid);
    }
    try {
      Files.writeString(pidFile, pid + "\n");
    } catch (IOException e) {
      log.warn("could not write {}: {}", pidFile, e.getMessage());
    }
  }

  /**
   * A dev server of this data directory that outlived an earlier Interlock (killed before it
   * could stop it) holds the ports and the SQLite file: stop it.
   */
  private void stopLeftover() {
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).trim());
    } catch (IOException | NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(this::isOurDevServer);
    if (leftover.isEmpty()) {
      return;
    }
    log.warn("stopping a Temporal dev server left running by an earlier Interlock (pid {})", pid);
    ProcessHandle handle = leftover.get();
    handle.destroy();
    try {
      handle.onExit().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // reported by the port check that follows
      }
    }
  }

  /**
   * Whether a process is a dev server of this data directory: {@code start-dev} on this
   * SQLite file. The pid file may be stale (its pid reused by anything) or copied with the
   * data directory from an Interlock that still runs, so "mentions temporal" is not enough.
   * Without its arguments (Windows) only the configured CLI's own executable qualifies.
   */
  private boolean isOurDevServer(ProcessHandle process) {
    ProcessHandle.Info info = process.info();
    Optional<String[]> arguments = info.arguments();
    if (arguments.isPresent()) {
      List<String> args = List.of(arguments.get());
      return args.contains("start-dev") && args.contains(dbFile.toString());
    }
    return info.command().map(Path::of)
        .map(command -> command.toAbsolutePath().equals(settings.cli().toAbsolutePath()))
        .orElse(false);
  }

  /** Watches the child and starts it again when it dies while Interlock runs. */
  private void supervise() {
    supervisor = new Thread(() -> {
      int failures = 0;
      while (!closing) {
        Process current = process;
        try {
          int status = current.waitFor();
          closeQuietly(current.getOutputStream()); // lets an idle wrapper watcher end
          if (closing) {
            return;
          }
          if (!settings.restart()) {
            log.error("the Temporal dev server exited with status {}; waits are stuck until"
                + " Interlock restarts (temporal.devServerRestart is false; log {})", status, logFile);
            return;
          }
          long backoff = Math.min(30_000L, 500L << Math.min(failures, 6));
          log.error("the Temporal dev server exited with status {}; restarting it in {} ms"
              + " (its state is in {}; log {})", status, backoff, dbFile, logFile);
          sleep(backoff);
          if (closing) {
            return;
          }
          launch();
          failures = 0;
          onRestart.run();
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          failures++;
          log.error("could not restart the Temporal dev server: {}", e.getMessage());
        }
      }
    }, "interlock-devserver-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
  }

  @Override
  public void close() {
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
    }
    Process current = process;
    if (current == null) {
      return;
    }
    // Closing the pipe makes the wrapper stop the server gracefully (SIGTERM).
    closeQuietly(current.getOutputStream());
    long serverPid = serverPid();
    try {
      if (!current.waitFor(15, TimeUnit.SECONDS)) {
        ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
        current.destroyForcibly();
        current.waitFor(5, TimeUnit.SECONDS);
      }
      if (isWindows()) {
        current.destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // a stale pid file is checked against the live process on the next start
    }
    log.info("Temporal dev server stopped");
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // a port in TIME_WAIT after a restart is free to bind
      socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void closeQuietly(OutputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase().startsWith("windows");
  }
}
