package dev.interlock.model;

import java.time.Instant;
import java.util.List;

/** A reviewer group: a named set of a workspace's members (their usernames). */
public record GroupRow(String name, List<String> members, Instant createdAt) {}
