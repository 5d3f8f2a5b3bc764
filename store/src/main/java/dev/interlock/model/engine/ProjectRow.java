package dev.interlock.model.engine;

import java.time.Instant;

/**
 * A project that groups issues.
 *
 * @param status {@code backlog}, {@code planned}, {@code active}, {@code paused},
 *     {@code completed} or {@code canceled}
 * @param health {@code on_track}, {@code at_risk} or {@code off_track}
 * @param goalId the goal the project serves, if any
 */
public record ProjectRow(String id, String ownerId, String name, String description,
    String status, String health, String goalId, Instant createdAt, Instant updatedAt,
    Instant deletedAt) {}
