package dev.interlock.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The runner against the fake agent, a real child process speaking Claude Code's
 * stream-json protocol (src/test/resources/fake-agent/fake-agent.py).
 */
class AgentProcessTest {

  static final Path FAKE_AGENT =
      Path.of("src/test/resources/fake-agent/fake-agent.py").toAbsolutePath();
  static final Duration TURN = Duration.ofSeconds(20);

  final ObjectMapper mapper = new ObjectMapper();
  final List<AgentProcess> started = new ArrayList<>();
  final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @TempDir Path workdir;
  Path mcpConfig;

  @BeforeEach
  void setUp() throws IOException {
    mcpConfig = Files.writeString(workdir.resolve("mcp.json"), """
        {"mcpServers":{"interlock":{"type":"http","url":"http://127.0.0.1:9/mcp"}}}""");
    log.start();
    agentLogger().addAppender(log);
  }

  @AfterEach
  void tearDown() {
    started.forEach(AgentProcess::stop);
    agentLogger().detachAppender(log);
  }

  @Test
  void givenSayThinkAndTool_whenRun_thenEventsArriveInOrderAndTheTurnIsDone() {
    Recorder events = new Recorder();
    AgentResult result = finish(turn("""
        THINK pondering
        SAY hello
        TOOL Bash {"command":"ls -la"}
        SAY bye""").start(events));

    assertThat(events.lines()).containsExactly(
        "thinking_delta {\"text\":\"pondering\"}",
        "assistant_delta {\"text\":\"hello\"}",
        "tool_call {\"tool_use_id\":\"toolu_1\",\"tool\":\"Bash\",\"input_summary\":\"ls -la\"}",
        "tool_result {\"tool_use_id\":\"toolu_1\",\"ok\":true}",
        "assistant_delta {\"text\":\"bye\"}");
    assertThat(result.done()).isTrue();
    assertThat(result.code()).isNull();
    assertThat(result.message()).isEqualTo("hello\nbye");
  }

  @Test
  void givenPlainText_whenRun_thenTheAgentEchoesIt() {
    Recorder events = new Recorder();
    finish(turn("just words").start(events));

    assertThat(events.lines()).containsExactly("assistant_delta {\"text\":\"You said: just words\"}");
  }

  @Test
  void givenPartialMessages_whenRun_thenTextComesAsDeltasAndIsNotRepeated() {
    Recorder events = new Recorder();
    AgentResult result = finish(turn("""
        THINK a deep thought
        SAY hello partial world
        TOOL Read {"file_path":"/tmp/notes.txt"}
        SAY the end""").partial().start(events));

    assertThat(result.done()).isTrue();
    assertThat(events.texts("thinking_delta")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(String.join("", events.texts("thinking_delta"))).isEqualTo("a deep thought");
    assertThat(events.texts("assistant_delta")).hasSizeGreaterThanOrEqualTo(4);
    // Every character once: the complete assistant messages added nothing.
    assertThat(String.join("", events.texts("assistant_delta")))
        .isEqualTo("hello partial worldthe end");
    assertThat(events.names()).containsSubsequence(
        "thinking_delta", "assistant_delta", "tool_call", "tool_result", "assistant_delta");
    assertThat(events.lines()).containsOnlyOnce(
        "tool_call {\"tool_use_id\":\"toolu_1\",\"tool\":\"Read\","
            + "\"input_summary\":\"/tmp/notes.txt\"}");
  }

  @Test
  void givenANewConversation_whenRun_thenTheSessionFromInitIsReportedAndResumable() {
    Recorder first = new Recorder();
    AgentResult one = finish(turn("SAY hi").start(first));

    assertThat(first.sessions).isNotEmpty();
    String session = first.sessions.get(0);
    assertThat(session).matches("[0-9a-f-]{36}");
    assertThat(first.sessions).containsOnly(session); // init, then the result line
    assertThat(one.sessionId()).isEqualTo(session);

    Recorder second = new Recorder();
    AgentResult two = finish(turn("SESSION").resume(session).start(second));

    assertThat(second.texts("assistant_delta")).containsExactly("session " + session);
    assertThat(two.sessionId()).isEqualTo(session);
  }

  @Test
  void givenExit3_whenRun_thenAgentExitedSaysWithWhichStatus() {
    Recorder events = new Recorder();
    AgentResult result = finish(turn("SAY before\nEXIT 3\nSAY never").start(events));

    assertThat(result.done()).isFalse();
    assertThat(result.code()).isEqualTo(AgentResult.EXITED);
    assertThat(result.message()).contains("status 3");
    assertThat(result.sessionId()).isEqualTo(events.sessions.get(0));
    assertThat(events.texts("assistant_delta")).containsExactly("before");
  }

  @Test
  void givenAnErrorResult_whenRun_thenAgentErrorWithItsText() {
    AgentResult result = finish(turn("FAILRESULT the model overloaded").start(new Recorder()));

    assertThat(result.done()).isFalse();
    assertThat(result.code()).isEqualTo(AgentResult.ERROR);
    assertThat(result.message()).isEqualTo("the model overloaded");
    assertThat(result.sessionId()).isNotNull();
  }

  @Test
  void givenACommandThatDoesNotExist_whenStarted_thenSpawnFailedAtOnce() {
    AgentProcess agent = turn("SAY hi").command("/nonexistent/agent-binary").start(new Recorder());

    Optional<AgentResult> result = agent.await(Duration.ZERO);
    assertThat(result).isPresent();
    assertThat(result.get().code()).isEqualTo(AgentResult.SPAWN_FAILED);
    assertThat(result.get().message()).contains("/nonexistent/agent-binary");
    assertThat(agent.pid()).isEqualTo(-1);
    agent.stop(); // harmless
  }

  @Test
  void givenAMissingWorkdir_whenStarted_thenSpawnFailed() {
    Path missing = workdir.resolve("gone");
    AgentProcess agent = turn("SAY hi").workdir(missing).start(new Recorder());

    AgentResult result = agent.await(Duration.ZERO).orElseThrow();
    assertThat(result.code()).isEqualTo(AgentResult.SPAWN_FAILED);
    assertThat(result.message()).contains(missing.toString());
  }

  @Test
  void givenASleepingAgentWithAChild_whenStopped_thenBothAreGoneWithinSeconds() {
    Recorder events = new Recorder();
    // A shell that waits for python: python is the agent's child, as a command run by a real
    // agent would be. "; exit $?" keeps the shell from replacing itself with python.
    AgentProcess agent = turn("SAY sleeping\nSLEEP 30")
        .command("sh", "-c", "python3 \"$@\"; exit $?", "sh", FAKE_AGENT.toString())
        .start(events);
    eventually(() -> events.texts("assistant_delta").contains("sleeping"));
    ProcessHandle shell = ProcessHandle.of(agent.pid()).orElseThrow();
    List<ProcessHandle> children = shell.descendants().toList();
    assertThat(children).isNotEmpty();

    long begin = System.nanoTime();
    agent.stop();
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(took).isLessThan(Duration.ofSeconds(4));
    assertThat(shell.isAlive()).isFalse();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    AgentResult result = agent.await(Duration.ofSeconds(5)).orElseThrow();
    assertThat(result.code()).isEqualTo(AgentResult.EXITED);
    assertThat(result.message()).contains("stopped");
  }

  @Test
  void givenStderrOutput_whenRun_thenItIsLoggedWithThePidAndNotAnEvent() {
    Recorder events = new Recorder();
    AgentProcess agent = turn("STDERR diagnostic 42\nSAY ok").start(events);
    AgentResult result = finish(agent);

    assertThat(result.done()).isTrue();
    eventually(() -> logged(Level.INFO, "diagnostic 42"));
    assertThat(messages(Level.INFO)).anyMatch(
        line -> line.contains("diagnostic 42") && line.contains(String.valueOf(agent.pid())));
    assertThat(events.lines()).noneMatch(line -> line.contains("diagnostic"));
    assertThat(events.lines()).containsExactly("assistant_delta {\"text\":\"ok\"}");
  }

  @Test
  void givenTheResult_whenTheAgentWaitsForMoreInput_thenStdinIsClosedAndItExitsByItself() {
    // The fake agent, like Claude Code, exits only at the end of its input. Were stdin left
    // open, the turn would end only when the runner stops it, EXIT_AFTER_RESULT later.
    AgentProcess agent = turn("SAY hi").start(new Recorder());

    Optional<AgentResult> result = agent.await(Duration.ofSeconds(4));

    assertThat(AgentProcess.EXIT_AFTER_RESULT).isGreaterThan(Duration.ofSeconds(4));
    assertThat(result).hasValueSatisfying(r -> assertThat(r.done()).isTrue());
    assertThat(messages(Level.INFO)).contains(
        "[pid " + agent.pid() + "] exited with status 0: done");
    assertThat(messages(Level.WARN)).noneMatch(line -> line.contains("after its result"));
  }

  @Test
  void givenAnAgentThatLingersAfterItsResult_whenTheGraceEnds_thenItIsStoppedAndTheTurnIsDone() {
    // After python exits the shell sleeps on: an agent that ignores the end of its input.
    AgentProcess agent = turn("SAY hi")
        .command("sh", "-c", "python3 \"$@\"; sleep 60", "sh", FAKE_AGENT.toString())
        .start(new Recorder());

    assertThat(agent.await(Duration.ofSeconds(4))).isEmpty();
    AgentResult result = agent.await(Duration.ofSeconds(10)).orElseThrow();

    assertThat(result.done()).isTrue();
    assertThat(result.message()).isEqualTo("hi");
    assertThat(ProcessHandle.of(agent.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(messages(Level.WARN)).anyMatch(line -> line.contains("after its result"));
  }

  @Test
  void givenNonJsonLinesOnStdout_whenRun_thenTheyAreSkipped() {
    Recorder events = new Recorder();
    AgentResult result = finish(turn("SAY fine")
        .command("sh", "-c", "echo 'not json at all'; echo '[1,2]'; python3 \"$@\"; exit $?",
            "sh", FAKE_AGENT.toString())
        .start(events));

    assertThat(result.done()).isTrue();
    assertThat(events.lines()).containsExactly("assistant_delta {\"text\":\"fine\"}");
    assertThat(messages(Level.WARN)).anyMatch(line -> line.contains("not json at all"));
  }

  @Test
  void givenUtf8Text_whenRun_thenItSurvivesBothWays() {
    Recorder events = new Recorder();
    AgentResult result = finish(turn("SAY héllo 日本 🎉\nnaïve ünïcödé").partial().start(events));

    assertThat(String.join("", events.texts("assistant_delta")))
        .isEqualTo("héllo 日本 🎉You said: naïve ünïcödé");
    assertThat(result.message()).isEqualTo("héllo 日本 🎉\nYou said: naïve ünïcödé");
  }

  @Test
  void givenEnvironmentAndWorkdir_whenRun_thenTheAgentRunsThereWithThem() throws IOException {
    Path project = Files.createDirectory(workdir.resolve("project"));
    AgentResult result = finish(turn("PWD\nENV INTERLOCK_LOOP_TEST\nENV INTERLOCK_UNSET_VAR")
        .workdir(project).env("INTERLOCK_LOOP_TEST", "yes it is").start(new Recorder()));

    assertThat(result.message()).isEqualTo("cwd " + project.toRealPath()
        + "\nINTERLOCK_LOOP_TEST=yes it is\nINTERLOCK_UNSET_VAR=");
  }

  @Test
  void givenAFakeAgentWithoutTheHeadlessFlags_whenRun_thenItRefusesWithStatus2() {
    // Proves the fake checks its command line, so the other tests prove argv() works with it.
    AgentProcess agent = turn("SAY hi")
        .command("sh", "-c", "exec python3 \"$1\" -p", "sh", FAKE_AGENT.toString())
        .start(new Recorder());

    AgentResult result = finish(agent);
    assertThat(result.code()).isEqualTo(AgentResult.EXITED);
    assertThat(result.message()).contains("status 2");
    eventually(() -> logged(Level.INFO, "missing or wrong flags"));
  }

  @Test
  void argvWithNoOptionalFlags() {
    assertThat(new AgentInvocation(List.of("claude"), workdir, "m", null, Path.of("/c/mcp.json"),
        null, false, null).argv()).containsExactly(
        "claude", "-p", "--output-format", "stream-json", "--verbose", "--input-format",
        "stream-json", "--permission-prompt-tool", "mcp__interlock__approval_prompt",
        "--mcp-config", "/c/mcp.json");
  }

  @Test
  void argvWithEveryOptionalFlag() {
    assertThat(new AgentInvocation(List.of("python3", "/x/fake-agent.py"), workdir, "m",
        "sess-1", Path.of("/c/mcp.json"), "acceptEdits", true, Map.of()).argv())
        .containsExactly(
            "python3", "/x/fake-agent.py", "-p", "--output-format", "stream-json", "--verbose",
            "--input-format", "stream-json", "--permission-prompt-tool",
            "mcp__interlock__approval_prompt", "--mcp-config", "/c/mcp.json",
            "--include-partial-messages", "--permission-mode", "acceptEdits",
            "--resume", "sess-1");
  }

  @Test
  void argvWithEachOptionalFlagAlone() {
    List<String> base = List.of("claude", "-p", "--output-format", "stream-json", "--verbose",
        "--input-format", "stream-json", "--permission-prompt-tool",
        "mcp__interlock__approval_prompt", "--mcp-config", "/c/mcp.json");
    Path config = Path.of("/c/mcp.json");

    assertThat(new AgentInvocation(List.of("claude"), workdir, "m", null, config, null, true,
        null).argv()).isEqualTo(plus(base, "--include-partial-messages"));
    assertThat(new AgentInvocation(List.of("claude"), workdir, "m", null, config, "plan", false,
        null).argv()).isEqualTo(plus(base, "--permission-mode", "plan"));
    assertThat(new AgentInvocation(List.of("claude"), workdir, "m", "s-2", config, null, false,
        null).argv()).isEqualTo(plus(base, "--resume", "s-2"));
  }

  /**
   * ASK: the fake agent calls the permission prompt tool over MCP Streamable HTTP, as Claude
   * Code does. The server here is a stub; the real /mcp is exercised by the server's tests.
   */
  @Nested
  class PermissionPrompt {

    McpStub mcp;

    @BeforeEach
    void startMcp() throws IOException {
      mcp = McpStub.start(mapper);
      // Two servers: the agent must pick the one --permission-prompt-tool names.
      mcpConfig = Files.writeString(workdir.resolve("mcp-ask.json"), """
          {"mcpServers":{
            "other":{"type":"http","url":"http://127.0.0.1:9/mcp"},
            "interlock":{"type":"http","url":"%s",
                         "headers":{"Authorization":"Bearer key-123"}}}}"""
          .formatted(mcp.url()));
    }

    @AfterEach
    void stopMcp() {
      mcp.close();
    }

    @Test
    void givenAllowAsJson_whenAsked_thenTheToolRunsAndTheAgentSaysAllowed() {
      mcp.decide(McpStub.Transport.JSON,
          "{\"behavior\":\"allow\",\"updatedInput\":{\"command\":\"rm -rf build\"}}");
      Recorder events = new Recorder();

      AgentResult result = finish(turn("ASK Bash {\"command\":\"rm -rf build\"}").start(events));

      assertThat(result.done()).isTrue();
      assertThat(events.lines()).containsExactly(
          "tool_call {\"tool_use_id\":\"toolu_1\",\"tool\":\"Bash\","
              + "\"input_summary\":\"rm -rf build\"}",
          "tool_result {\"tool_use_id\":\"toolu_1\",\"ok\":true}",
          "assistant_delta {\"text\":\"Allowed Bash\"}");
      assertThat(mcp.methods())
          .containsExactly("initialize", "notifications/initialized", "tools/call");

      McpStub.Call initialize = mcp.calls().get(0);
      assertThat(initialize.header("Authorization")).isEqualTo("Bearer key-123");
      assertThat(initialize.header("Content-Type")).isEqualTo("application/json");
      assertThat(initialize.header("Accept"))
          .contains("application/json").contains("text/event-stream");
      assertThat(initialize.header("Mcp-Session-Id")).isNull();
      assertThat(initialize.body().path("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(initialize.body().at("/params/protocolVersion").asText())
          .isEqualTo("2025-06-18");
      assertThat(initialize.body().at("/params/clientInfo/name").asText())
          .isEqualTo("fake-agent");

      for (McpStub.Call later : mcp.calls().subList(1, 3)) {
        assertThat(later.header("Mcp-Session-Id")).isEqualTo(McpStub.SESSION);
        assertThat(later.header("Authorization")).isEqualTo("Bearer key-123");
      }
      JsonNode call = mcp.calls().get(2).body().path("params");
      assertThat(call.path("name").asText()).isEqualTo("approval_prompt");
      assertThat(call.path("arguments")).isEqualTo(json("""
          {"tool_name":"Bash","input":{"command":"rm -rf build"},"tool_use_id":"toolu_1"}"""));
    }

    @Test
    void givenAllowWithAnswersAsSse_whenAsked_thenTheAgentEchoesTheAnswers() {
      mcp.decide(McpStub.Transport.SSE, """
          {"behavior":"allow","updatedInput":{"questions":[{"question":"Which?"}],
           "answers":{"Which?":"the blue one"}}}""");
      Recorder events = new Recorder();

      AgentResult result = finish(turn(
          "ASK AskUserQuestion {\"questions\":[{\"question\":\"Which?\"}]}").start(events));

      assertThat(result.done()).isTrue();
      assertThat(events.texts("assistant_delta")).containsExactly(
          "Allowed AskUserQuestion with answers {\"Which?\":\"the blue one\"}");
      assertThat(events.lines()).contains("tool_result {\"tool_use_id\":\"toolu_1\",\"ok\":true}");
    }

    @Test
    void givenDenyAsSse_whenAsked_thenTheToolFailsAndTheAgentSaysDenied() {
      mcp.decide(McpStub.Transport.SSE,
          "{\"behavior\":\"deny\",\"message\":\"not on a Friday\"}");
      Recorder events = new Recorder();

      AgentResult result = finish(turn("ASK Bash {\"command\":\"deploy\"}").start(events));

      assertThat(result.done()).isTrue();
      assertThat(events.lines()).containsExactly(
          "tool_call {\"tool_use_id\":\"toolu_1\",\"tool\":\"Bash\","
              + "\"input_summary\":\"deploy\"}",
          "tool_result {\"tool_use_id\":\"toolu_1\",\"ok\":false}",
          "assistant_delta {\"text\":\"Denied Bash: not on a Friday\"}");
    }

    @Test
    void givenDenyAsJson_whenAsked_thenDenied() {
      mcp.decide(McpStub.Transport.JSON, "{\"behavior\":\"deny\",\"message\":\"no\"}");
      Recorder events = new Recorder();

      finish(turn("ASK Write {\"file_path\":\"/etc/passwd\"}").start(events));

      assertThat(events.texts("assistant_delta")).containsExactly("Denied Write: no");
    }

    @Test
    void givenAJsonRpcError_whenAsked_thenItCountsAsDenyWithItsMessage() {
      mcp.rpcError("the gateway is shutting down");
      Recorder events = new Recorder();

      finish(turn("ASK Bash {\"command\":\"ls\"}").start(events));

      assertThat(events.texts("assistant_delta"))
          .containsExactly("Denied Bash: the gateway is shutting down");
    }

    @Test
    void givenAnIsErrorToolResult_whenAsked_thenItCountsAsDenyWithItsText() {
      mcp.toolError("unknown workspace");
      Recorder events = new Recorder();

      finish(turn("ASK Bash {\"command\":\"ls\"}").start(events));

      assertThat(events.texts("assistant_delta")).containsExactly("Denied Bash: unknown workspace");
    }

    @Test
    void givenTheServerDropsTheConnection_whenAsked_thenTheAgentExitsWithoutAResult() {
      mcp.answer(McpStub.Transport.CLOSE, null);

      AgentResult result = finish(turn("ASK Bash {\"command\":\"ls\"}").start(new Recorder()));

      assertThat(result.code()).isEqualTo(AgentResult.EXITED);
      assertThat(result.message()).contains("status 1");
      eventually(() -> logged(Level.INFO, "closed the connection"));
    }

    @Test
    void givenTheEventStreamEndsBeforeTheAnswer_whenAsked_thenTheAgentExitsWithoutAResult() {
      mcp.answer(McpStub.Transport.SSE_THEN_END, null);

      AgentResult result = finish(turn("ASK Bash {\"command\":\"ls\"}").start(new Recorder()));

      assertThat(result.code()).isEqualTo(AgentResult.EXITED);
      assertThat(result.message()).contains("status 1");
      eventually(() -> logged(Level.INFO, "ended before the answer"));
    }
  }

  // --- fixtures ---------------------------------------------------------------------------

  private JsonNode json(String text) {
    try {
      return mapper.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> plus(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private Turn turn(String message) {
    return new Turn(message);
  }

  private AgentResult finish(AgentProcess agent) {
    return agent.await(TURN).orElseThrow(() -> new AssertionError("the turn did not end"));
  }

  private static Logger agentLogger() {
    return (Logger) LoggerFactory.getLogger(AgentProcess.class);
  }

  List<String> messages(Level level) {
    return log.list.stream().filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  private boolean logged(Level level, String text) {
    return messages(level).stream().anyMatch(line -> line.contains(text));
  }

  static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** One turn to start, with the fake agent and this test's workdir unless told otherwise. */
  final class Turn {
    private final String message;
    private List<String> command = List.of("python3", FAKE_AGENT.toString());
    private Path dir = workdir;
    private String resume;
    private boolean partial;
    private final Map<String, String> env = new HashMap<>();

    Turn(String message) {
      this.message = message;
    }

    Turn command(String... words) {
      command = List.of(words);
      return this;
    }

    Turn workdir(Path path) {
      dir = path;
      return this;
    }

    Turn resume(String session) {
      resume = session;
      return this;
    }

    Turn partial() {
      partial = true;
      return this;
    }

    Turn env(String name, String value) {
      env.put(name, value);
      return this;
    }

    AgentProcess start(AgentEvents events) {
      AgentProcess agent = AgentProcess.start(
          new AgentInvocation(command, dir, message, resume, mcpConfig, null, partial, env),
          events, mapper);
      started.add(agent);
      return agent;
    }
  }

  /** Keeps every event as {@code name json}, and every session id, in arrival order. */
  static final class Recorder implements AgentEvents {
    final List<String> names = new CopyOnWriteArrayList<>();
    final List<ObjectNode> data = new CopyOnWriteArrayList<>();
    final List<String> sessions = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void event(String name, ObjectNode payload) {
      names.add(name);
      data.add(payload.deepCopy());
    }

    @Override
    public void session(String sessionId) {
      sessions.add(sessionId);
    }

    synchronized List<String> names() {
      return List.copyOf(names);
    }

    synchronized List<String> lines() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        lines.add(names.get(i) + " " + data.get(i));
      }
      return lines;
    }

    synchronized List<String> texts(String name) {
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equals(name)) {
          texts.add(data.get(i).path("text").asText());
        }
      }
      return texts;
    }
  }
}
