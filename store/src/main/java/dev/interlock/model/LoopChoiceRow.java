package dev.interlock.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A choice a turn asked: an interrupt of the core (source {@code loopat}) seen from its loop.
 *
 * @param id {@code choice_} + the interrupt's id
 * @param kind permission or question
 * @param payload what the {@code requires_choice} event carried
 * @param resolvedSource api or web, once answered
 */
public record LoopChoiceRow(
    String id,
    String interruptId,
    String loopId,
    String turnId,
    String kind,
    JsonNode payload,
    Instant createdAt,
    Instant resolvedAt,
    String resolvedSource) {}
