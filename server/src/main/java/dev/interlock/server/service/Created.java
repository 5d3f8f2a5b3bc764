package dev.interlock.server.service;

import dev.interlock.model.InterruptRow;

/** The result of a create: the interrupt, and whether an earlier identical create is replayed. */
public record Created(InterruptRow interrupt, boolean replayed) {}
