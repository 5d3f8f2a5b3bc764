package dev.interlock.model.engine;

import java.time.Instant;

/**
 * A relation between two issues, read from {@code issueId}'s side: {@code type} is
 * {@code blocks}, {@code blocked_by}, {@code related} or {@code duplicate}. Relations are
 * stored in pairs, each with its inverse ({@code blocks} A→B beside {@code blocked_by} B→A;
 * {@code related} and {@code duplicate} are their own inverses), so each issue sees all of
 * its relations among the rows whose {@code issueId} is its own.
 */
public record RelationRow(String id, String ownerId, String type, String issueId,
    String relatedIssueId, Instant createdAt) {}
