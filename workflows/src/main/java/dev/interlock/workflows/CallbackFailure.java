package dev.interlock.workflows;

/** The callback of an interrupt could not be delivered within its retry window. */
public record CallbackFailure(String interruptId, String reason) {}
