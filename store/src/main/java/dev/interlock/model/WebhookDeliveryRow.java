package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

public record WebhookDeliveryRow(String id, String webhookId, String ownerId, String event,
    String interruptId, JsonNode payload, String state, int attempts, Integer lastStatus,
    String lastError, String replayOf, Instant createdAt, Instant deliveredAt) {}
