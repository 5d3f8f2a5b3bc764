package dev.interlock.model.engine;

/** How many issues have a status (a project's issue counts). */
public record StatusCountRow(String status, long count) {}
