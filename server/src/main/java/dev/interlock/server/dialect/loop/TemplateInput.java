package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.service.engine.PromptReviewService.ReviewDraft;
import dev.interlock.server.service.engine.TemplateService.Change;
import dev.interlock.server.service.engine.TemplateService.TemplateChanges;
import dev.interlock.server.service.engine.TemplateService.TemplateDraft;
import dev.interlock.server.service.engine.TemplateService.VersionDraft;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bodies of Loop's template and prompt-review operations, checked field by field with
 * messages that name the field. The status of a bad field is the one Loop's document gives
 * the operation: 422 for creating templates, versions and reviews, 400 for changing a
 * template (a body that is no JSON object is 400 everywhere, from {@code JsonBodies}).
 * Fields Loop does not name are ignored, as Loop ignores them.
 */
final class TemplateInput {

  static final Pattern SLUG = Pattern.compile("^[a-z0-9]+(?:-[a-z0-9]+)*$");
  static final List<String> TYPES = List.of("signal", "hypothesis", "plan", "task", "monitor");
  static final List<String> AUTHOR_TYPES = List.of("human", "agent");
  static final List<String> CONDITIONS = List.of("type", "signalSource", "labels", "projectId",
      "hasFailedSessions", "hypothesisConfidence");

  private final ObjectNode body;
  private final int status;

  private TemplateInput(ObjectNode body, int status) {
    this.body = body;
    this.status = status;
  }

  /** {@code POST /api/templates}. */
  static TemplateDraft template(ObjectNode body) {
    TemplateInput in = new TemplateInput(body, 422);
    String slug = in.text("slug", true, 200);
    if (!SLUG.matcher(slug).matches()) {
      throw in.bad("slug must be lowercase letters and digits in words joined by single"
          + " hyphens (like signal-triage)");
    }
    String name = in.text("name", true, 500);
    String description = in.text("description", false, Integer.MAX_VALUE);
    JsonNode conditions = in.has("conditions") ? in.conditions() : body.objectNode();
    Integer specificity = in.integer("specificity", 0, 100);
    String projectId = in.text("projectId", false, Integer.MAX_VALUE);
    return new TemplateDraft(slug, name, description, conditions,
        specificity == null ? 10 : specificity, projectId);
  }

  /** {@code PATCH /api/templates/{id}}: only the fields present change. */
  static TemplateChanges changes(ObjectNode body) {
    TemplateInput in = new TemplateInput(body, 400);
    String name = in.has("name") ? in.text("name", true, 500) : null;
    Change<String> description = body.has("description")
        ? new Change<>(in.text("description", false, Integer.MAX_VALUE)) : null;
    JsonNode conditions = in.has("conditions") ? in.conditions() : null;
    Integer specificity = in.integer("specificity", 0, 100);
    Change<String> projectId = body.has("projectId")
        ? new Change<>(in.text("projectId", false, Integer.MAX_VALUE)) : null;
    return new TemplateChanges(name, description, conditions, specificity, projectId);
  }

  /** {@code POST /api/templates/{id}/versions}. */
  static VersionDraft version(ObjectNode body) {
    TemplateInput in = new TemplateInput(body, 422);
    String content = in.text("content", true, Integer.MAX_VALUE);
    String changelog = in.text("changelog", false, Integer.MAX_VALUE);
    String authorType = in.oneOf("authorType", AUTHOR_TYPES);
    String authorName = in.text("authorName", true, 200);
    return new VersionDraft(content, changelog, authorType, authorName);
  }

  /** {@code POST /api/prompt-reviews}. */
  static ReviewDraft review(ObjectNode body) {
    TemplateInput in = new TemplateInput(body, 422);
    String versionId = in.text("versionId", true, 200);
    String issueId = in.text("issueId", true, 200);
    int clarity = in.score("clarity");
    int completeness = in.score("completeness");
    int relevance = in.score("relevance");
    String feedback = in.text("feedback", false, 10_000);
    String authorType = in.oneOf("authorType", AUTHOR_TYPES);
    return new ReviewDraft(versionId, issueId, clarity, completeness, relevance, feedback,
        authorType);
  }

  // ---- fields ---------------------------------------------------------------------------

  private boolean has(String field) {
    return body.has(field) && !body.get(field).isNull();
  }

  private Refusal bad(String message) {
    return new Refusal(status, "validation_error", message);
  }

  /** A string field; null when absent and not required. Required means non-blank. */
  private String text(String field, boolean required, int max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw bad(field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw bad(field + " must be a string");
    }
    String s = v.textValue();
    if (required && s.isBlank()) {
      throw bad(field + " must not be empty");
    }
    if (s.length() > max) {
      throw bad(field + " must be at most " + max + " characters");
    }
    return s;
  }

  /** A whole number in range, or null when absent. */
  private Integer integer(String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min
        || v.intValue() > max) {
      throw bad(field + " must be a whole number from " + min + " to " + max);
    }
    return v.intValue();
  }

  private int score(String field) {
    Integer n = integer(field, 1, 5);
    if (n == null) {
      throw bad(field + " is required");
    }
    return n;
  }

  private String oneOf(String field, List<String> allowed) {
    String v = text(field, true, 100);
    if (!allowed.contains(v)) {
      throw bad(field + " must be one of " + String.join(", ", allowed));
    }
    return v;
  }

  /** Loop's template conditions: known keys only, each of its kind. */
  private JsonNode conditions() {
    JsonNode c = body.get("conditions");
    if (!c.isObject()) {
      throw bad("conditions must be an object");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = c.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = "conditions." + f.getKey();
      JsonNode v = f.getValue();
      switch (f.getKey()) {
        case "type" -> {
          if (!v.isTextual() || !TYPES.contains(v.textValue())) {
            throw bad(name + " must be one of " + String.join(", ", TYPES));
          }
        }
        case "signalSource", "projectId" -> {
          if (!v.isTextual() || v.textValue().isBlank()) {
            throw bad(name + " must be a non-empty string");
          }
        }
        case "labels" -> {
          if (!v.isArray()) {
            throw bad(name + " must be an array of strings");
          }
          for (JsonNode label : v) {
            if (!label.isTextual() || label.textValue().isBlank()) {
              throw bad(name + " must be an array of strings");
            }
          }
        }
        case "hasFailedSessions" -> {
          if (!v.isBoolean()) {
            throw bad(name + " must be a boolean");
          }
        }
        case "hypothesisConfidence" -> {
          if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 1) {
            throw bad(name + " must be a number from 0 to 1");
          }
        }
        default -> throw bad(name + " is not a condition (known: "
            + String.join(", ", CONDITIONS) + ")");
      }
    }
    return c;
  }
}
