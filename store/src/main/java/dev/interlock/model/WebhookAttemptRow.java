package dev.interlock.model;

import java.time.Instant;

public record WebhookAttemptRow(long id, String deliveryId, int attempt, Instant at,
    String outcome, Integer httpStatus, String error, int durationMs) {}
