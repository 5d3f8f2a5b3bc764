package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One audit event with the action, current status and urgency of the interrupt it belongs to. */
public record AuditEntryRow(long id, String interruptId, Instant at, String event, String actor,
    JsonNode details, String action, String status, String urgency) {}
