package dev.interlock.model;

import java.time.Instant;

/** A workspace: everything an API key creates belongs to the key's workspace. */
public record WorkspaceRow(String id, String name, Instant createdAt) {}
