package dev.interlock.model.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A signal of Loop, the improvement engine: an event from outside (a provider webhook or any
 * caller of {@code POST /api/signals}) and the triage issue it opened.
 *
 * @param sourceId the event's id in its source, if it has one
 * @param severity {@code low}, {@code medium}, {@code high} or {@code critical}
 * @param deliveryKey a provider webhook's delivery id, or the body's hash; null otherwise
 */
public record SignalRow(
    String id,
    String ownerId,
    String source,
    String sourceId,
    String type,
    String severity,
    JsonNode payload,
    String issueId,
    String deliveryKey,
    Instant createdAt) {}
