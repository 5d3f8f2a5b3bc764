package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.CommentRow;
import dev.interlock.model.engine.GoalRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.LabelRow;
import dev.interlock.model.engine.ProjectRow;
import dev.interlock.model.engine.RelationRow;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.engine.IssueService.CommentThread;
import dev.interlock.server.service.engine.IssueService.IssueDetail;
import dev.interlock.server.service.engine.ProjectService.ProjectDetail;
import java.util.List;
import java.util.function.Function;

/**
 * Loop's issue detail, labels, relations, comments, projects and goals as its document's
 * schemas show them (every field present, null when unset), built on {@link LoopViews}.
 */
final class IssueViews {

  private final LoopViews views;

  IssueViews(LoopViews views) {
    this.views = views;
  }

  ObjectNode data(ObjectNode item) {
    return views.data(item);
  }

  /** {@code {data: [...], total}} of a page. */
  <T> ObjectNode page(Page<T> page, Function<T, ObjectNode> view) {
    return views.list(page.items().stream().map(view).toList(), page.total());
  }

  ObjectNode issue(IssueRow i) {
    return views.issue(i);
  }

  /** {@code GET /api/issues/{id}}: the issue with parent, children, labels and relations. */
  ObjectNode issueDetail(IssueDetail d) {
    ObjectNode o = views.issue(d.issue());
    o.set("parent", d.parent() == null ? views.json().nullNode() : views.issue(d.parent()));
    o.set("children", array(d.children(), views::issue));
    o.set("labels", array(d.labels(), this::label));
    o.set("relations", array(d.relations(), this::relation));
    return o;
  }

  ObjectNode label(LabelRow l) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", l.id());
    o.put("name", l.name());
    o.put("color", l.color());
    o.put("createdAt", LoopViews.time(l.createdAt()));
    o.put("deletedAt", LoopViews.time(l.deletedAt()));
    return o;
  }

  ObjectNode relation(RelationRow r) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", r.id());
    o.put("type", r.type());
    o.put("issueId", r.issueId());
    o.put("relatedIssueId", r.relatedIssueId());
    o.put("createdAt", LoopViews.time(r.createdAt()));
    return o;
  }

  ObjectNode comment(CommentRow c) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", c.id());
    o.put("body", c.body());
    o.put("issueId", c.issueId());
    o.put("authorName", c.authorName());
    o.put("authorType", c.authorType());
    o.put("parentId", c.parentId());
    o.put("createdAt", LoopViews.time(c.createdAt()));
    return o;
  }

  /** {@code {data: [comment + replies]}}. */
  ObjectNode threads(List<CommentThread> threads) {
    ObjectNode out = views.json().createObjectNode();
    out.set("data", array(threads, t -> {
      ObjectNode o = comment(t.comment());
      o.set("replies", array(t.replies(), this::comment));
      return o;
    }));
    return out;
  }

  ObjectNode project(ProjectRow p) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", p.id());
    o.put("name", p.name());
    o.put("description", p.description());
    o.put("status", p.status());
    o.put("health", p.health());
    o.put("goalId", p.goalId());
    o.put("createdAt", LoopViews.time(p.createdAt()));
    o.put("updatedAt", LoopViews.time(p.updatedAt()));
    o.put("deletedAt", LoopViews.time(p.deletedAt()));
    return o;
  }

  /** {@code GET /api/projects/{id}}: the project with its goal and issue counts by status. */
  ObjectNode projectDetail(ProjectDetail d) {
    ObjectNode o = project(d.project());
    o.set("goal", d.goal() == null ? views.json().nullNode() : goal(d.goal()));
    ObjectNode counts = o.putObject("issueCounts");
    d.issueCounts().forEach(counts::put);
    return o;
  }

  ObjectNode goal(GoalRow g) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", g.id());
    o.put("title", g.title());
    o.put("description", g.description());
    o.put("metric", g.metric());
    o.put("targetValue", g.targetValue());
    o.put("currentValue", g.currentValue());
    o.put("unit", g.unit());
    o.put("status", g.status());
    o.put("projectId", g.projectId());
    o.put("createdAt", LoopViews.time(g.createdAt()));
    o.put("updatedAt", LoopViews.time(g.updatedAt()));
    o.put("deletedAt", LoopViews.time(g.deletedAt()));
    return o;
  }

  private <T> ArrayNode array(List<T> items, Function<T, ObjectNode> view) {
    ArrayNode a = views.json().createArrayNode();
    items.forEach(i -> a.add(view.apply(i)));
    return a;
  }
}
