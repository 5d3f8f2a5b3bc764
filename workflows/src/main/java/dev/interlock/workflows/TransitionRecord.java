package dev.interlock.workflows;

/** A state change to project into PostgreSQL (row and audit event) before it is acknowledged. */
public record TransitionRecord(String interruptId, InterruptState state) {}
