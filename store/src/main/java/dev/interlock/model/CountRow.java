package dev.interlock.model;

/** A label and how often it occurs, for analytics. */
public record CountRow(String label, long count) {}
