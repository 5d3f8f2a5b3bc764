package dev.interlock.workflows;

/** Evaluate the owner's policies for one interrupt. */
public record PolicyRequest(String interruptId) {}
