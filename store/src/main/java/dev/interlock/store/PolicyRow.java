package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jdbi.v3.json.Json;

public record PolicyRow(String id, String ownerId, String name, int priority, boolean enabled,
    @Json JsonNode rules, int version, Instant createdAt, Instant updatedAt) {}
