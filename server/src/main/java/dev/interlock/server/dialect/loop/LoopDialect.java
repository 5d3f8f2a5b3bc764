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

    // ---- signals, provider webhooks, dashboard ------------------------------------------

    // ---- templates, versions, prompt reviews --------------------------------------------

    // ---- dispatch -----------------------------------------------------------------------
    DispatchViews dispatchViews = new DispatchViews(new LoopViews(c.json()));
    c.jersey().register(new DispatchResource(c.engine().dispatch(), dispatchViews));
    tools.addAll(new DispatchTools(c.engine().dispatch(), dispatchViews).tools());

    return tools;
  }
}
