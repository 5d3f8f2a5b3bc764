package dev.interlock.model;

import java.time.Instant;

/**
 * One turn of a loop: a message and the agent's work on it. The message itself is read
 * apart ({@code LoopDao.content}): it may be a megabyte.
 *
 * @param status queued, running, done, interrupted or error
 * @param errorCode for {@code error}: agent_spawn_failed, agent_exited, agent_error,
 *     runner_lost, ...
 * @param keyId the API key the agent uses for Interlock's MCP tools while the turn runs
 * @param pendingChoice the choice ({@code choice_...}) the turn waits on, or null
 */
public record LoopTurnRow(
    String id,
    String loopId,
    int number,
    String permissionMode,
    String status,
    String errorCode,
    String errorMessage,
    String keyId,
    String pendingChoice,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt) {

  public boolean isOpen() {
    return "queued".equals(status) || "running".equals(status);
  }
}
