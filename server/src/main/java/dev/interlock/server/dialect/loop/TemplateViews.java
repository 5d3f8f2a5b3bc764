package dev.interlock.server.dialect.loop;

import static dev.interlock.server.dialect.loop.LoopViews.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.PromptReviewRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.server.service.engine.Prompt;

/**
 * Loop's {@code PromptTemplate}, {@code PromptVersion} and {@code PromptReview} objects, and
 * the preview's answer: every field of the document's schema, null when unset. Versions also
 * carry Interlock's {@code reviewCount} and {@code improvementIssueId}.
 */
final class TemplateViews {

  private final ObjectMapper json;

  TemplateViews(ObjectMapper json) {
    this.json = json;
  }

  ObjectNode template(TemplateRow t) {
    ObjectNode o = json.createObjectNode();
    o.put("id", t.id());
    o.put("slug", t.slug());
    o.put("name", t.name());
    o.put("description", t.description());
    o.set("conditions", conditions(t.conditions()));
    o.put("specificity", t.specificity());
    o.put("projectId", t.projectId());
    o.put("activeVersionId", t.activeVersionId());
    o.put("createdAt", time(t.createdAt()));
    o.put("updatedAt", time(t.updatedAt()));
    o.put("deletedAt", time(t.deletedAt()));
    return o;
  }

  /** A template with its {@code activeVersion} (null when it has none). */
  ObjectNode template(TemplateRow t, TemplateVersionRow active) {
    ObjectNode o = template(t);
    o.set("activeVersion", active == null ? json.nullNode() : version(active));
    return o;
  }

  /** A version as {@code /api/templates} shows it: {@link #loopVersion} and its review tally. */
  ObjectNode version(TemplateVersionRow v) {
    ObjectNode o = loopVersion(v);
    o.put("reviewCount", v.reviewCount());
    o.put("improvementIssueId", v.improvementIssueId());
    return o;
  }

  /** Loop's {@code PromptVersion}, exactly its fields (as the dashboard's prompt health shows it). */
  ObjectNode loopVersion(TemplateVersionRow v) {
    ObjectNode o = json.createObjectNode();
    o.put("id", v.id());
    o.put("templateId", v.templateId());
    o.put("version", v.version());
    o.put("content", v.content());
    o.put("changelog", v.changelog());
    o.put("authorType", v.authorType());
    o.put("authorName", v.authorName());
    o.put("status", v.status());
    o.put("usageCount", v.usageCount());
    o.put("completionRate", v.completionRate());
    o.put("avgDurationMs", v.avgDurationMs());
    o.put("reviewScore", v.reviewScore());
    o.put("createdAt", time(v.createdAt()));
    return o;
  }

  ObjectNode review(PromptReviewRow r) {
    ObjectNode o = json.createObjectNode();
    o.put("id", r.id());
    o.put("versionId", r.versionId());
    o.put("issueId", r.issueId());
    o.put("clarity", r.clarity());
    o.put("completeness", r.completeness());
    o.put("relevance", r.relevance());
    o.put("feedback", r.feedback());
    o.put("authorType", r.authorType());
    o.put("createdAt", time(r.createdAt()));
    return o;
  }

  /**
   * {@code GET /api/templates/preview/{issueId}}: the issue, the template and version chosen
   * (null when none), the prompt (null when none), and a {@code message} when there is none.
   */
  ObjectNode preview(Prompt p) {
    ObjectNode o = json.createObjectNode();
    ObjectNode issue = o.putObject("issue");
    issue.put("id", p.issue().id());
    issue.put("number", p.issue().number());
    issue.put("title", p.issue().title());
    issue.put("type", p.issue().type());
    if (p.template() == null) {
      o.putNull("template");
    } else {
      ObjectNode t = o.putObject("template");
      t.put("id", p.template().id());
      t.put("slug", p.template().slug());
      t.put("name", p.template().name());
      t.set("conditions", conditions(p.template().conditions()));
      t.put("specificity", p.template().specificity());
      t.put("projectId", p.template().projectId());
    }
    if (p.version() == null) {
      o.putNull("version");
    } else {
      ObjectNode v = o.putObject("version");
      v.put("id", p.version().id());
      v.put("version", p.version().version());
    }
    o.put("prompt", p.text());
    if (p.problem() != null) {
      o.put("message", p.problem());
    } else if (!p.matched()) {
      o.put("message", "No matching template found");
    }
    return o;
  }

  private JsonNode conditions(JsonNode c) {
    return c == null || !c.isObject() ? json.createObjectNode() : c;
  }
}
