package dev.interlock.workflows.engine;

/**
 * A sign of life from the agent holding a lease.
 *
 * @param how what the agent did (an update of the issue, a comment, the heartbeat tool),
 *     kept in the workflow's history for whoever reads it
 */
public record LeaseHeartbeat(String how) {}
