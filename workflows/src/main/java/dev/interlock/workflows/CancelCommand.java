package dev.interlock.workflows;

/**
 * The asking agent withdraws its interrupt, sent to the workflow as an Update.
 *
 * @param actor who cancelled, as a person reads it
 * @param actorId who cancelled, stably; null in commands sent before it existed
 */
public record CancelCommand(String actor, String reason, String actorId) {}
