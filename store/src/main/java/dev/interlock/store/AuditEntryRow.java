package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jdbi.v3.json.Json;

/** One audit event with the action, current status and urgency of the interrupt it belongs to. */
public record AuditEntryRow(long id, String interruptId, Instant at, String event, String actor,
    @Json JsonNode details, String action, String status, String urgency) {}
