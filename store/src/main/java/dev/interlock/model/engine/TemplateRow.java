package dev.interlock.model.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A prompt template of Loop: when it applies ({@code conditions}, {@code specificity}, an
 * optional project of its own) and which of its versions is rendered ({@code activeVersionId}).
 *
 * @param conditions a JSON object: {@code type}, {@code signalSource}, {@code labels},
 *     {@code projectId}, {@code hasFailedSessions}, {@code hypothesisConfidence}, each optional
 * @param projectId the project the template belongs to (then it serves only that project's
 *     issues, before any other template), or null for every project
 */
public record TemplateRow(
    String id,
    String ownerId,
    String slug,
    String name,
    String description,
    JsonNode conditions,
    int specificity,
    String projectId,
    String activeVersionId,
    Instant createdAt,
    Instant updatedAt,
    Instant deletedAt) {}
