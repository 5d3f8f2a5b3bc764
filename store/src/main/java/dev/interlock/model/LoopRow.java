package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A loop (loopat): a long-lived conversation with a coding agent.
 *
 * @param createdBy who created it, stably: a user id, or {@code key:<id>} for an API key
 * @param creatorName the creator as a person reads it (username or key name)
 * @param turnCount how many turns (messages) it has had, queued ones included
 * @param agentSession the agent's session id, passed as {@code --resume} to the next turn
 * @param nextSeq the sequence number of its latest event (0: none yet)
 */
public record LoopRow(
    String id,
    String ownerId,
    String createdBy,
    String creatorName,
    String title,
    JsonNode metadata,
    List<String> profiles,
    String vault,
    String repo,
    boolean archived,
    Instant archivedAt,
    Instant createdAt,
    Instant lastActiveAt,
    int turnCount,
    String agentSession,
    long nextSeq) {

  public LoopRow {
    profiles = profiles == null ? List.of() : List.copyOf(profiles);
  }
}
