package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One event of a loop's stream, as sent over SSE: {@code id: seq}, {@code event}, {@code data}. */
public record LoopEventRow(
    String loopId,
    long seq,
    String turnId,
    String event,
    JsonNode data,
    Instant createdAt) {

  /** Whether it ends a stream ({@code done}, {@code interrupted}, {@code error}). */
  public boolean isTerminal() {
    return "done".equals(event) || "interrupted".equals(event) || "error".equals(event);
  }
}
