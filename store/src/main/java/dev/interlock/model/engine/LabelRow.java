package dev.interlock.model.engine;

import java.time.Instant;

/** A label of Loop's issues, per workspace; its name is unique (regardless of case) among live ones. */
public record LabelRow(String id, String ownerId, String name, String color, Instant createdAt,
    Instant deletedAt) {}
