package dev.interlock.workflows;

/** Deliver the outcome callback of one interrupt; the activity reads the body from the store. */
public record CallbackRequest(String interruptId) {}
