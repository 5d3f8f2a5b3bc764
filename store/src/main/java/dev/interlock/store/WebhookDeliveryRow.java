package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jdbi.v3.json.Json;

public record WebhookDeliveryRow(String id, String webhookId, String ownerId, String event,
    String interruptId, @Json JsonNode payload, String state, int attempts, Integer lastStatus,
    String lastError, String replayOf, Instant createdAt, Instant deliveredAt) {}
