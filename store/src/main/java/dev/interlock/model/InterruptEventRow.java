package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One entry of an interrupt's append-only audit trail. */
public record InterruptEventRow(
    long id, String interruptId, Instant at, String event, String actor, JsonNode details) {}
