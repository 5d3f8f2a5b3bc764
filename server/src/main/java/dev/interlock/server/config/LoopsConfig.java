package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** loopat's loops: how each turn runs its agent. docs/configuration.md describes each key. */
public class LoopsConfig {

  /**
   * The agent's command, words separated by spaces (INTERLOCK_AGENT_COMMAND). Interlock adds
   * Claude Code's headless flags: {@code -p --output-format stream-json --verbose
   * --input-format stream-json --permission-prompt-tool mcp__interlock__approval_prompt
   * --mcp-config <file>} (+ {@code --include-partial-messages}, {@code --permission-mode
   * <mode>}, {@code --resume <session>}). A relative program path is made absolute against
   * the folder Interlock starts in.
   */
  @JsonProperty @NotBlank public String agentCommand = "claude";

  /** Where loops without a repo get their own folder (default: {@code <dataDir>/loops}). */
  @JsonProperty public String loopsDir;

  /** A loop's {@code repo} → the folder its agent works in. */
  @JsonProperty @NotNull public Map<String, String> repos = new LinkedHashMap<>();

  /**
   * Interlock's {@code /mcp} as the agent reaches it (default: the application connector on
   * 127.0.0.1).
   */
  @JsonProperty public String mcpUrl;

  /** Ask the agent for partial messages (finer {@code assistant_delta} events). */
  @JsonProperty public boolean partialMessages = true;

  /**
   * How long a choice waits for an answer. None by default (loopat's rule: a choice waits
   * until it is answered or the turn is interrupted).
   */
  @JsonProperty
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  public Duration choiceTimeout;

  /** How long an Idempotency-Key of {@code POST /messages} is remembered. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.MINUTES)
  public Duration idempotencyWindow = Duration.hours(24);

  /** The interval of {@code ping} events on open streams. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  public Duration pingInterval = Duration.seconds(15);
}
