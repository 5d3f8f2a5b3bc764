package dev.interlock.model.engine;

import java.time.Instant;

/**
 * One version of a prompt template: its Handlebars text and how it fares.
 *
 * @param status {@code active} (the one the template renders), {@code draft} or {@code retired}
 * @param reviewScore the EWMA (alpha 0.3) of its reviews' composite scores; null before any
 * @param reviewCount how many reviews it has had
 * @param improvementIssueId the issue a poor or long-lived score opened (at most one)
 */
public record TemplateVersionRow(
    String id,
    String templateId,
    int version,
    String content,
    String changelog,
    String authorType,
    String authorName,
    String status,
    int usageCount,
    Double completionRate,
    Double avgDurationMs,
    Double reviewScore,
    int reviewCount,
    String improvementIssueId,
    Instant createdAt) {

  public boolean isActive() {
    return "active".equals(status);
  }
}
