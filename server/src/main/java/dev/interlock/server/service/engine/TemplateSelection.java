package dev.interlock.server.service.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.engine.TemplateRow;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which template an issue gets, as Loop chooses it, with the rules written down:
 *
 * <ol>
 *   <li>A template applies when it is live, has an active version, belongs to no project or to
 *       the project, and every condition it names holds (AND; no conditions means
 *       every issue): {@code type} equals the type; {@code signalSource} equals the
 *       issue's (ignoring case); every one of {@code labels} is on the issue (by name, ignoring
 *       case, or by id); {@code projectId} equals the project; {@code hasFailedSessions}
 *       equals whether an agent had the issue before without completing it;
 *       {@code hypothesisConfidence} is at most the issue's {@code hypothesis.confidence}.
 *   <li>Of those, a template of the project comes first; then the highest
 *       {@code specificity}; then the one naming more conditions; then the oldest.
 *   <li>The fallback by type is what is left when nothing more specific applies: the
 *       workspace's default template for the type (its only condition is the type).
 *       Nothing left: no prompt.
 * </ol>
 *
 * <p>Unlike Loop, a template of another project never serves an issue (Loop lets it, after
 * the others), and the order among equals is fixed rather than the database's.
 */
final class TemplateSelection {

  /** What is known of the issue when choosing. */
  record Facts(String type, String signalSource, Set<String> labels, String projectId,
      boolean hasFailedSessions, Double hypothesisConfidence) {}

  private TemplateSelection() {}

  static Optional<TemplateRow> choose(List<TemplateRow> templates, Facts facts) {
    return templates.stream()
        .filter(t -> t.activeVersionId() != null && t.deletedAt() == null)
        .filter(t -> t.projectId() == null || t.projectId().equals(facts.projectId()))
        .filter(t -> matches(t.conditions(), facts))
        .min(ORDER.apply(facts));
  }

  private static final java.util.function.Function<Facts, Comparator<TemplateRow>> ORDER =
      facts -> Comparator
          .comparing((TemplateRow t) -> t.projectId() == null)
          .thenComparing(TemplateRow::specificity, Comparator.reverseOrder())
          .thenComparing(t -> conditionCount(t.conditions()), Comparator.reverseOrder())
          .thenComparing(TemplateRow::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(TemplateRow::id);

  static int conditionCount(JsonNode conditions) {
    return conditions == null || !conditions.isObject() ? 0 : conditions.size();
  }

  static boolean matches(JsonNode conditions, Facts facts) {
    if (conditions == null || !conditions.isObject()) {
      return true;
    }
    JsonNode type = conditions.get("type");
    if (present(type) && !type.asText().equals(facts.type())) {
      return false;
    }
    JsonNode source = conditions.get("signalSource");
    if (present(source) && (facts.signalSource() == null
        || !source.asText().equalsIgnoreCase(facts.signalSource()))) {
      return false;
    }
    JsonNode labels = conditions.get("labels");
    if (present(labels) && labels.isArray()) {
      for (JsonNode label : labels) {
        if (!facts.labels().contains(label.asText().toLowerCase(Locale.ROOT))
            && !facts.labels().contains(label.asText())) {
          return false;
        }
      }
    }
    JsonNode project = conditions.get("projectId");
    if (present(project) && !Objects.equals(project.asText(), facts.projectId())) {
      return false;
    }
    JsonNode failed = conditions.get("hasFailedSessions");
    if (present(failed) && failed.asBoolean() != facts.hasFailedSessions()) {
      return false;
    }
    JsonNode confidence = conditions.get("hypothesisConfidence");
    if (present(confidence) && (facts.hypothesisConfidence() == null
        || facts.hypothesisConfidence() < confidence.asDouble())) {
      return false;
    }
    return true;
  }

  private static boolean present(JsonNode value) {
    return value != null && !value.isNull() && !value.isMissingNode();
  }
}
