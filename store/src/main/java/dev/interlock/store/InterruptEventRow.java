package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jdbi.v3.json.Json;

/** One entry of an interrupt's append-only audit trail. */
public record InterruptEventRow(
    long id, String interruptId, Instant at, String event, String actor, @Json JsonNode details) {}
