package dev.interlock.model;

import java.time.Instant;

/** One UTC day of activity: created that day by outcome, and human response times. */
public record DayRow(Instant day, long created, long approved, long rejected, long expired,
    long cancelled, long pending, Double p50Ms, Double p90Ms, Double p99Ms) {}
