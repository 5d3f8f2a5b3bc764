package dev.interlock.model;

/** Totals for one agent or action; the median counts decisions by people only. */
public record BreakdownRow(String label, long total, long approved, long rejected, long pending,
    Double p50Ms) {}
