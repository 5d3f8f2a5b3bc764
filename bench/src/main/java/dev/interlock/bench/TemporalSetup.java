package dev.interlock.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Temporal the harness runs the server against. The harness always names the mode
 * (TEMPORAL_MODE), so the server's {@code auto} never picks one for it and a run's figures
 * say what they measured.
 *
 * @param mode {@code embedded} (Temporal's test server in the server's JVM, as
 *     docs/benchmarks.md measured), {@code devserver} (the server runs
 *     {@code temporal server start-dev} as a child) or {@code external} (a Temporal the
 *     caller runs)
 * @param cli devserver: the Temporal CLI the server runs; else null
 * @param target external: the frontend's host:port; else null
 * @param cliVersion devserver: what {@code temporal --version} printed; else null
 * @param pidFile external: a file whose first line is the Temporal server's pid, for its
 *     CPU time; else null
 * @param pgPidFile external: the same for Temporal's PostgreSQL (its postmaster.pid); else
 *     null
 */
record TemporalSetup(String mode, Path cli, String target, String cliVersion, Path pidFile,
    Path pgPidFile) {

  static TemporalSetup fromOptions(Map<String, String> opts, Map<String, String> env)
      throws Exception {
    String mode = opts.getOrDefault("temporal-mode", "embedded");
    if (opts.containsKey("temporal-cli") && !mode.equals("devserver")) {
      throw new IllegalArgumentException("--temporal-cli applies only to --temporal-mode devserver");
    }
    for (String externalOnly : List.of("temporal-target", "temporal-pid-file", "temporal-pg-pid-file")) {
      if (opts.containsKey(externalOnly) && !mode.equals("external")) {
        throw new IllegalArgumentException("--" + externalOnly + " applies only to --temporal-mode external");
      }
    }
    switch (mode) {
      case "embedded":
        return new TemporalSetup(mode, null, null, null, null, null);
      case "devserver": {
        Path cli = findCli(opts.get("temporal-cli"), env);
        return new TemporalSetup(mode, cli, null, version(cli), null, null);
      }
      case "external": {
        String target = opts.get("temporal-target");
        if (target == null || !target.matches("\\S+:\\d+")) {
          throw new IllegalArgumentException("--temporal-mode external needs --temporal-target"
              + " host:port, the Temporal frontend's gRPC address");
        }
        Path pidFile = pidFileOption(opts, "temporal-pid-file");
        Path pgPidFile = pidFileOption(opts, "temporal-pg-pid-file");
        return new TemporalSetup(mode, null, target, null, pidFile, pgPidFile);
      }
      default:
        throw new IllegalArgumentException(
            "--temporal-mode must be embedded, devserver or external, not " + mode);
    }
  }

  /**
   * The CLI given with --temporal-cli, else TEMPORAL_CLI_PATH, else {@code temporal} on the
   * PATH, else ./.tools/bin/temporal (where the project's setup puts it).
   */
  static Path findCli(String option, Map<String, String> env) {
    String envPath = env.getOrDefault("TEMPORAL_CLI_PATH", "");
    String given = option != null ? option : envPath.isBlank() ? null : envPath;
    if (given != null) {
      Path cli = Path.of(given);
      if (!isExecutable(cli)) {
        throw new IllegalArgumentException((option != null ? "--temporal-cli" : "TEMPORAL_CLI_PATH")
            + " is " + given + ", which is not an executable file");
      }
      return cli.toAbsolutePath();
    }
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isBlank() && isExecutable(Path.of(dir, "temporal"))) {
        return Path.of(dir, "temporal").toAbsolutePath();
      }
    }
    Path tools = Path.of(".tools", "bin", "temporal");
    if (isExecutable(tools)) {
      return tools.toAbsolutePath();
    }
    throw new IllegalArgumentException("--temporal-mode devserver needs the Temporal CLI: give"
        + " it with --temporal-cli PATH or TEMPORAL_CLI_PATH, or put `temporal` on the PATH"
        + " (none found there, nor at ./.tools/bin/temporal)");
  }

  /** A pid file given as an option: it must exist now (the process must be running). */
  private static Path pidFileOption(Map<String, String> opts, String name) {
    String given = opts.get(name);
    if (given == null) {
      return null;
    }
    Path file = Path.of(given).toAbsolutePath();
    if (ProcCpu.pidFromFile(file) <= 0) {
      throw new IllegalArgumentException("--" + name + " is " + given
          + ", which does not hold the pid of a running process on its first line");
    }
    return file;
  }

  private static boolean isExecutable(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }

  /** The first line of {@code temporal --version}: it names the bundled server and UI too. */
  private static String version(Path cli) throws Exception {
    String out = Server.run(cli.toString(), "--version").strip();
    if (out.isEmpty()) {
      throw new IllegalArgumentException(cli + " --version printed nothing; is it the Temporal CLI?");
    }
    return out.lines().findFirst().orElseThrow();
  }

  /** What a result records about the Temporal it was measured on. */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode);
    if (cliVersion != null) {
      m.put("cli_version", cliVersion);
    }
    if (target != null) {
      m.put("target", target);
    }
    if (pidFile != null) {
      m.put("pid_file", pidFile.toString());
    }
    if (pgPidFile != null) {
      m.put("postgres_pid_file", pgPidFile.toString());
    }
    return m;
  }

  @Override
  public String toString() {
    return mode + (cliVersion != null ? " (" + cliVersion + ")" : "")
        + (target != null ? " at " + target : "");
  }
}
