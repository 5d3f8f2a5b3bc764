package dev.interlock.worker.loop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How turns run their agent.
 *
 * @param command the agent's command, split into words ({@code claude}, or a script)
 * @param loopsDir where each loop without a repo gets its own working directory, and where
 *     the turns' MCP config files are written (readable by the owner only)
 * @param repos a loop's {@code repo} name → the folder it works in
 * @param mcpUrl Interlock's own {@code /mcp}, as the agent reaches it (known once the
 *     server listens)
 * @param partialMessages whether to ask for partial messages (finer assistant deltas)
 * @param keyLifetime the longest a turn's MCP key lives (it is revoked when the turn ends)
 */
public record LoopSettings(
    List<String> command,
    Path loopsDir,
    Map<String, Path> repos,
    java.util.function.Supplier<String> mcpUrl,
    boolean partialMessages,
    Duration keyLifetime) {

  public LoopSettings {
    command = List.copyOf(command);
    repos = Map.copyOf(repos);
  }
}
