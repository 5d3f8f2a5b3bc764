package dev.interlock.model;

import java.time.Instant;

/** An Idempotency-Key of {@code POST /messages}: the request it named and the turn it made. */
public record LoopIdempotencyRow(
    String callerId,
    String key,
    String requestHash,
    String loopId,
    String turnId,
    Instant createdAt) {}
