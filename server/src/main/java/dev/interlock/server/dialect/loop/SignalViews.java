package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.SignalRow;
import dev.interlock.server.service.engine.DashboardService;
import dev.interlock.server.service.engine.SignalService.Ingested;
import java.util.List;

/**
 * Loop's signals and dashboard as its API shows them: the {@code Signal} object, a signal
 * with its issue, the stats, the activity chains and the prompt health, each with every
 * field of the document's schema (null when unset). Issues are {@link LoopViews}'s.
 */
final class SignalViews {

  private final LoopViews views;
  private final IssueViews issues;
  private final TemplateViews templates;

  SignalViews(LoopViews views, IssueViews issues, TemplateViews templates) {
    this.views = views;
    this.issues = issues;
    this.templates = templates;
  }

  LoopViews loop() {
    return views;
  }

  /** Loop's {@code Signal}. */
  ObjectNode signal(SignalRow s) {
    ObjectNode o = views.json().createObjectNode();
    o.put("id", s.id());
    o.put("source", s.source());
    o.put("sourceId", s.sourceId());
    o.put("type", s.type());
    o.put("severity", s.severity());
    o.set("payload", views.orNull(s.payload()));
    o.put("issueId", s.issueId());
    o.put("createdAt", LoopViews.time(s.createdAt()));
    return o;
  }

  /** {@code {"data": {"signal": …, "issue": …}}}. */
  ObjectNode ingested(Ingested in) {
    ObjectNode both = views.json().createObjectNode();
    both.set("signal", signal(in.signal()));
    both.set("issue", views.issue(in.issue()));
    return views.data(both);
  }

  /** A webhook's answer: {@link #ingested} and whether the delivery had been stored before. */
  ObjectNode delivered(Ingested in) {
    ObjectNode out = ingested(in);
    out.put("redelivered", in.redelivered());
    return out;
  }

  /** {@code {"data": {issues, goals, dispatch}}}. */
  ObjectNode stats(DashboardService.Stats s) {
    ObjectNode data = views.json().createObjectNode();
    ObjectNode issues = data.putObject("issues");
    issues.put("total", s.issues());
    ObjectNode byStatus = issues.putObject("byStatus");
    s.byStatus().forEach(byStatus::put);
    ObjectNode byType = issues.putObject("byType");
    s.byType().forEach(byType::put);
    ObjectNode goals = data.putObject("goals");
    goals.put("total", s.goals());
    goals.put("active", s.activeGoals());
    goals.put("achieved", s.achievedGoals());
    ObjectNode dispatch = data.putObject("dispatch");
    dispatch.put("queueDepth", s.dispatch().queueDepth());
    dispatch.put("activeCount", s.dispatch().activeCount());
    dispatch.put("completedLast24h", s.dispatch().completedLast24h());
    return views.data(data);
  }

  /** {@code {"data": [{root, children: [{issue, relations}], latestActivity}], "total": n}}. */
  ObjectNode activity(DashboardService.Activity a) {
    List<ObjectNode> chains = a.chains().stream().map(c -> {
      ObjectNode chain = views.json().createObjectNode();
      chain.set("root", views.issue(c.root()));
      ArrayNode children = chain.putArray("children");
      for (DashboardService.ChainChild child : c.children()) {
        ObjectNode item = children.addObject();
        item.set("issue", views.issue(child.issue()));
        ArrayNode relations = item.putArray("relations");
        child.relations().forEach(r -> relations.add(issues.relation(r)));
      }
      chain.put("latestActivity", LoopViews.time(c.latestActivity()));
      return chain;
    }).toList();
    return views.list(chains, a.total());
  }

  /**
   * {@code {"data": [{template, activeVersion, recentVersions, reviewSummary,
   * needsAttention}]}}.
   */
  ObjectNode prompts(List<DashboardService.PromptHealth> health) {
    ObjectNode out = views.json().createObjectNode();
    ArrayNode data = out.putArray("data");
    for (DashboardService.PromptHealth h : health) {
      ObjectNode item = data.addObject();
      item.set("template", templates.template(h.template()));
      item.set("activeVersion", h.activeVersion() == null ? views.json().nullNode()
          : templates.loopVersion(h.activeVersion()));
      ArrayNode recent = item.putArray("recentVersions");
      h.recentVersions().forEach(v -> recent.add(templates.loopVersion(v)));
      ObjectNode summary = item.putObject("reviewSummary");
      summary.put("totalReviews", h.reviews().totalReviews());
      summary.put("avgClarity", h.reviews().avgClarity());
      summary.put("avgCompleteness", h.reviews().avgCompleteness());
      summary.put("avgRelevance", h.reviews().avgRelevance());
      summary.put("compositeScore", h.compositeScore());
      item.put("needsAttention", h.needsAttention());
    }
    return out;
  }
}
