package dev.interlock.worker.loop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a coding agent, run as a child process with Claude Code's headless command
 * line: the agent reads the user's message as stream-json on stdin and answers in
 * stream-json on stdout, asking for permissions through the MCP tool
 * {@code mcp__interlock__approval_prompt} of the server named {@code interlock} in
 * {@code mcpConfig}.
 *
 * @param command the configured agent command split into words, e.g. {@code ["claude"]} or
 *     {@code ["python3", "/path/fake-agent.py"]}
 * @param workdir the agent's working directory; it must exist
 * @param message the user's text for this turn
 * @param resumeSession the session id the agent reported on the previous turn, or null for a
 *     new conversation
 * @param mcpConfig a JSON file naming the MCP server {@code interlock}
 * @param permissionMode Claude Code's {@code --permission-mode}, or null for its default
 * @param partialMessages whether to ask for token-level deltas
 *     ({@code --include-partial-messages})
 * @param environment variables added to the worker's own environment for the child
 */
public record AgentInvocation(
    List<String> command,
    Path workdir,
    String message,
    String resumeSession,
    Path mcpConfig,
    String permissionMode,
    boolean partialMessages,
    Map<String, String> environment) {

  /** The server and tool that answer permission prompts; the server names it in MCP. */
  public static final String PERMISSION_PROMPT_TOOL = "mcp__interlock__approval_prompt";

  public AgentInvocation {
    Objects.requireNonNull(command, "command");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command must name a program");
    }
    command = List.copyOf(command);
    Objects.requireNonNull(workdir, "workdir");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(mcpConfig, "mcpConfig");
    environment = environment == null ? Map.of() : Map.copyOf(environment);
  }

  /** The full command line: the configured command followed by the headless flags. */
  public List<String> argv() {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(List.of(
        "-p",
        "--output-format", "stream-json",
        // stream-json output requires --verbose in print mode.
        "--verbose",
        "--input-format", "stream-json",
        "--permission-prompt-tool", PERMISSION_PROMPT_TOOL,
        "--mcp-config", mcpConfig.toString()));
    if (partialMessages) {
      argv.add("--include-partial-messages");
    }
    if (permissionMode != null) {
      argv.add("--permission-mode");
      argv.add(permissionMode);
    }
    if (resumeSession != null) {
      argv.add("--resume");
      argv.add(resumeSession);
    }
    return List.copyOf(argv);
  }
}
