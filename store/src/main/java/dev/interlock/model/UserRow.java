package dev.interlock.model;

import java.time.Instant;
import java.util.UUID;

/** A user as stored: the password only as an Argon2id hash. */
public record UserRow(UUID id, String username, String passwordHash, Instant createdAt) {}
