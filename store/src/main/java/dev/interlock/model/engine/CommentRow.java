package dev.interlock.model.engine;

import java.time.Instant;

/**
 * A comment on an issue; {@code parentId} is the comment it answers (on the same issue).
 *
 * @param authorType {@code human} or {@code agent}
 */
public record CommentRow(String id, String ownerId, String issueId, String body,
    String authorName, String authorType, String parentId, Instant createdAt) {}
