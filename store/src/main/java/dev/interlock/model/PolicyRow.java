package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

public record PolicyRow(String id, String ownerId, String name, int priority, boolean enabled,
    JsonNode rules, int version, Instant createdAt, Instant updatedAt) {}
