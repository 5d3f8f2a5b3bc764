package dev.interlock.server.dialect.loopin;

import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.mcp.McpTool;
import java.util.List;

/**
 * LoopIn: {@code /interrupts}, analytics and its MCP tools. Its callback body is the core's
 * outcome ({@code wire/Outcome}), so it hands in no rendering of its own.
 */
public final class LoopinDialect implements Dialect {

  @Override
  public List<McpTool> install(DialectContext c) {
    LoopinViews views = new LoopinViews(c.links());
    c.jersey().register(new InterruptResource(c.interrupts(), c.longPoll(), views, c.bodies(),
        c.clock(), c.limits().maxWaitSeconds, c.limits().maxExpiresInSeconds));
    c.jersey().register(new AnalyticsResource(c.interrupts(), views));
    return new LoopinTools(c.interrupts(), views, c.bodies(), c.json(), c.clock(),
        c.limits().maxExpiresInSeconds).tools();
  }
}
