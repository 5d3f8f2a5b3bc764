package dev.interlock.worker.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn of a coding agent running as a child process, spoken to in Claude Code's
 * stream-json protocol: the user's message goes in as one JSON line on stdin, events come out
 * as JSON lines on stdout and are handed to {@link AgentEvents}, and the turn ends with the
 * agent's {@code result} line or with its exit.
 *
 * <p>Threads: one writes the message to stdin, one reads stdout (and calls the events), one
 * drains stderr into the log (so a chatty agent never blocks on a full pipe), and one waits
 * for the exit and completes the result. All are daemons, so a stuck agent never keeps the
 * worker's JVM alive.
 */
public final class AgentProcess {

  private static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);

  /** How long the agent may take to exit after its result line before it is stopped. */
  static final Duration EXIT_AFTER_RESULT = Duration.ofSeconds(5);
  /** How long {@link #stop()} waits after asking politely before it kills. */
  static final Duration STOP_GRACE = Duration.ofSeconds(3);
  /**
   * After the exit, how long the stdout reader may still take to hand over what the agent
   * wrote before dying, before the turn is ended without it.
   */
  static final Duration READER_GRACE = Duration.ofSeconds(10);

  private final Process process; // null when the command could not be started
  private final CompletableFuture<AgentResult> result = new CompletableFuture<>();
  private volatile AgentResult reportedResult; // from the result line, once it has been read
  private volatile boolean stopRequested;

  private AgentProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts the agent and sends it the message. Never throws when the command cannot be
   * started: the handle's result is then already {@code agent_spawn_failed}.
   */
  public static AgentProcess start(AgentInvocation invocation, AgentEvents events,
      ObjectMapper mapper) {
    if (!Files.isDirectory(invocation.workdir())) {
      return spawnFailed("the working directory " + invocation.workdir() + " does not exist");
    }
    List<String> argv = invocation.argv();
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).directory(invocation.workdir().toFile());
      // The agent runs commands a model chose: it gets none of Interlock's own secrets
      // (admin key, database password, ...), only what a program needs to run and what
      // the agent needs to reach its model, plus the invocation's own variables.
      builder.environment().keySet().removeIf(name -> !AgentEnvironment.passes(name));
      builder.environment().putAll(invocation.environment());
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      // IOException: no such program, not executable, ... RuntimeException: an environment
      // entry the platform refuses (a name with '=' or NUL in it).
      LOG.warn("Could not start the agent {}: {}", argv.get(0), e.toString());
      return spawnFailed("could not start " + argv.get(0) + ": " + e.getMessage());
    }
    LOG.info("[pid {}] started agent {} in {}", process.pid(), argv, invocation.workdir());
    AgentProcess agent = new AgentProcess(process);
    agent.run(userLine(invocation.message(), mapper), new StreamJsonTranslator(events, mapper),
        mapper);
    return agent;
  }

  private static AgentProcess spawnFailed(String message) {
    AgentProcess agent = new AgentProcess(null);
    agent.result.complete(AgentResult.failed(AgentResult.SPAWN_FAILED, message, null));
    return agent;
  }

  /** The message as the one stream-json line Claude Code reads a user turn from. */
  private static byte[] userLine(String message, ObjectMapper mapper) {
    ObjectNode line = mapper.createObjectNode().put("type", "user");
    ObjectNode body = line.putObject("message").put("role", "user");
    body.putArray("content").addObject().put("type", "text").put("text", message);
    try {
      // Jackson escapes line breaks inside strings, so this is one line; bytes are UTF-8.
      byte[] json = mapper.writeValueAsBytes(line);
      byte[] withNewline = new byte[json.length + 1];
      System.arraycopy(json, 0, withNewline, 0, json.length);
      withNewline[json.length] = '\n';
      return withNewline;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }

  private void run(byte[] message, StreamJsonTranslator translator, ObjectMapper mapper) {
    long pid = process.pid();
    // The message is written on its own thread so start() never blocks on an agent that
    // does not read its input.
    daemon("agent-stdin-" + pid, () -> writeMessage(message)).start();
    daemon("agent-stderr-" + pid, this::drainStderr).start();
    Thread reader = daemon("agent-stdout-" + pid, () -> readStdout(translator, mapper));
    reader.start();
    daemon("agent-exit-" + pid, () -> endOnExit(reader, translator)).start();
  }

  private void writeMessage(byte[] message) {
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write(message);
      stdin.flush();
      // stdin stays open: see endAfterResult for when and why it is closed.
    } catch (IOException e) {
      // The agent is gone already; its exit ends the turn.
      LOG.warn("[pid {}] could not send the message: {}", process.pid(), e.toString());
    }
  }

  private void drainStderr() {
    try (BufferedReader err = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        LOG.info("[pid {}] {}", process.pid(), line);
      }
    } catch (IOException e) {
      LOG.debug("[pid {}] stderr closed: {}", process.pid(), e.toString());
    }
  }

  private void readStdout(StreamJsonTranslator translator, ObjectMapper mapper) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (reportedResult != null) {
          LOG.debug("[pid {}] ignoring output after the result: {}", process.pid(), line);
          continue;
        }
        JsonNode json = parse(line, mapper);
        if (json == null) {
          continue;
        }
        try {
          Optional<AgentResult> end = translator.accept(json);
          if (end.isPresent()) {
            reportedResult = end.get();
            endAfterResult();
          }
        } catch (RuntimeException e) {
          // A failing listener must not stop the reading, or the agent blocks on a full pipe.
          LOG.warn("[pid {}] handling an agent event failed", process.pid(), e);
        }
      }
    } catch (IOException e) {
      LOG.debug("[pid {}] stdout closed: {}", process.pid(), e.toString());
    }
  }

  private JsonNode parse(String line, ObjectMapper mapper) {
    if (line.isBlank()) {
      return null;
    }
    try {
      JsonNode json = mapper.readTree(line);
      if (json != null && json.isObject()) {
        return json;
      }
    } catch (JsonProcessingException e) {
      // Not JSON: logged below.
    }
    LOG.warn("[pid {}] ignoring a line that is not a JSON object: {}", process.pid(),
        StreamJsonTranslator.oneLine(line, 500));
    return null;
  }

  /**
   * The turn is over, but Claude Code started with {@code --input-format stream-json} does
   * not exit after its result: it waits on stdin for the next user message. Closing stdin
   * (end of input) tells it there is none, so it exits; an agent that still lingers is
   * stopped. stdin is not closed right after the message because the agent may still read
   * from it during the turn, and an early end of input can cut a turn short.
   */
  private void endAfterResult() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      LOG.debug("[pid {}] closing stdin: {}", process.pid(), e.toString());
    }
    CompletableFuture.delayedExecutor(EXIT_AFTER_RESULT.toMillis(), TimeUnit.MILLISECONDS,
        task -> daemon("agent-reaper-" + process.pid(), task).start()).execute(() -> {
          if (process.isAlive()) {
            LOG.warn("[pid {}] still running {} s after its result; stopping it",
                process.pid(), EXIT_AFTER_RESULT.toSeconds());
            stop();
          }
        });
  }

  /** The turn ends when the process does: with its result line if it wrote one. */
  private void endOnExit(Thread reader, StreamJsonTranslator translator) {
    int status = waitForExit();
    try {
      reader.join(READER_GRACE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    AgentResult end = reportedResult;
    if (end == null) {
      String message = stopRequested
          ? "the agent was stopped (exit status " + status + ") before it wrote a result"
          : "the agent exited with status " + status + " without writing a result";
      end = AgentResult.failed(AgentResult.EXITED, message, translator.sessionId());
    }
    LOG.info("[pid {}] exited with status {}: {}", process.pid(), status,
        end.done() ? "done" : end.code());
    result.complete(end);
  }

  private int waitForExit() {
    while (true) {
      try {
        return process.waitFor();
      } catch (InterruptedException e) {
        // Nobody interrupts this daemon on purpose; keep waiting for the exit.
      }
    }
  }

  /**
   * Waits up to {@code timeout} for the turn to end; empty when it has not ended yet (or the
   * calling thread was interrupted, whose interrupt status is then kept).
   */
  public Optional<AgentResult> await(Duration timeout) {
    try {
      return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the result is never completed exceptionally", e);
    }
  }

  /**
   * Ends the agent and everything it started: asks them to terminate, waits up to
   * {@link #STOP_GRACE}, then kills what is left. The turn then ends as {@code agent_exited}
   * unless the agent had written its result already. Returns once the agent is gone.
   */
  public void stop() {
    if (process == null) {
      return;
    }
    stopRequested = true;
    // The descendants are collected before anything dies: once the agent is gone, the
    // commands it started are orphans that no longer count as its descendants.
    List<ProcessHandle> family = new ArrayList<>();
    family.add(process.toHandle());
    process.descendants().forEach(family::add);
    if (family.stream().noneMatch(ProcessHandle::isAlive)) {
      return;
    }
    LOG.info("[pid {}] stopping the agent and {} descendant(s)", process.pid(),
        family.size() - 1);
    family.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (ProcessHandle member : family) {
      awaitExit(member, deadline - System.nanoTime());
    }
    List<ProcessHandle> left = family.stream().filter(ProcessHandle::isAlive).toList();
    if (!left.isEmpty()) {
      LOG.warn("[pid {}] {} process(es) ignored the request to terminate; killing them",
          process.pid(), left.size());
      left.forEach(ProcessHandle::destroyForcibly);
      long killDeadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      for (ProcessHandle member : left) {
        awaitExit(member, killDeadline - System.nanoTime());
      }
    }
  }

  private static void awaitExit(ProcessHandle member, long nanos) {
    try {
      member.onExit().get(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Still alive: handled by the caller.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The agent's process id, or -1 when it could not be started. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
