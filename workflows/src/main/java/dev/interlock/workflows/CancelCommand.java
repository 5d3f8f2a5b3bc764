package dev.interlock.workflows;

/** The asking agent withdraws its interrupt, sent to the workflow as an Update. */
public record CancelCommand(String actor, String reason) {}
