package dev.interlock.model.engine;

import java.time.Instant;

/**
 * A measurable goal ({@code metric} moving from {@code currentValue} toward
 * {@code targetValue}, in {@code unit}).
 *
 * @param status {@code active}, {@code achieved} or {@code abandoned}
 * @param projectId the project the goal belongs to, if any
 */
public record GoalRow(String id, String ownerId, String title, String description, String metric,
    Double targetValue, Double currentValue, String unit, String status, String projectId,
    Instant createdAt, Instant updatedAt, Instant deletedAt) {}
