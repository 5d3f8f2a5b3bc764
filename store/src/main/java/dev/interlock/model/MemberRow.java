package dev.interlock.model;

import java.time.Instant;
import java.util.UUID;

/** One member of a workspace. */
public record MemberRow(UUID userId, String username, String role, Instant joinedAt) {}
