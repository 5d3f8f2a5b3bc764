package dev.interlock.server.dialect.loop;

import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.mcp.McpTool;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop, the improvement engine: {@code /api/issues}, {@code /api/relations},
 * {@code /api/labels}, {@code /api/projects}, {@code /api/goals}, {@code /api/signals},
 * {@code /api/templates}, {@code /api/prompt-reviews}, {@code /api/dispatch},
 * {@code /api/dashboard}, in Loop's words (camelCase, {@code {data, total}} lists,
 * {@code {data}} items, {@code {"error": "message"}} errors, which are the core's shape).
 */
public final class LoopDialect implements Dialect {

  @Override
  public List<McpTool> install(DialectContext c) {
    List<McpTool> tools = new ArrayList<>();
    // ---- issues, relations, comments, labels, projects, goals ----------------------------
    IssueViews issueViews = new IssueViews(new LoopViews(c.json()));
    c.jersey().register(new IssueResource(c.engine().issues(), issueViews, c.bodies(),
        c.engine().dispatch()));
    c.jersey().register(new RelationResource(c.engine().issues()));
    c.jersey().register(new LabelResource(c.engine().labels(), issueViews, c.bodies()));
    c.jersey().register(new ProjectResource(c.engine().projects(), issueViews, c.bodies()));
    c.jersey().register(new GoalResource(c.engine().goals(), issueViews, c.bodies()));

    // ---- signals, provider webhooks, dashboard ------------------------------------------
    TemplateViews templateShapes = new TemplateViews(c.json());
    SignalViews signalViews = new SignalViews(new LoopViews(c.json()), issueViews,
        templateShapes);
    c.jersey().register(new SignalResource(c.engine().signals(), signalViews, c.bodies()));
    c.jersey().register(new ProviderWebhookResource(c.engine().webhooks(), signalViews,
        c.bodies()));
    c.jersey().register(new LoopDashboardResource(c.engine().dashboard(), signalViews));
    c.jersey().register(new ServiceInfoResource());
    c.jersey().register(new ServiceInfoNegotiation());

    // ---- MCP tools: Loop's own (loop_create_issue, ..., loop_get_dashboard) ----------------
    tools.addAll(new LoopTools(c.engine().issues(), c.engine().signals(),
        c.engine().dashboard(), issueViews, signalViews, c.json(), c.engine().dispatch(),
        new DispatchViews(new LoopViews(c.json()))).tools());

    // ---- templates, versions, prompt reviews --------------------------------------------
    LoopViews templateEnvelopes = new LoopViews(c.json());
    c.engine().prompts().serveAt(c.baseUrl());
    c.jersey().register(new TemplateResource(c.engine().templates(), c.engine().prompts(),
        templateEnvelopes, templateShapes, c.bodies()));
    c.jersey().register(new PromptReviewResource(c.engine().promptReviews(), templateEnvelopes,
        templateShapes, c.bodies()));

    // ---- dispatch -----------------------------------------------------------------------
    DispatchViews dispatchViews = new DispatchViews(new LoopViews(c.json()));
    c.jersey().register(new DispatchResource(c.engine().dispatch(), dispatchViews));
    tools.addAll(new DispatchTools(c.engine().dispatch(), dispatchViews).tools());

    return tools;
  }
}
