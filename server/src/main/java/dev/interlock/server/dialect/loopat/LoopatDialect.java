package dev.interlock.server.dialect.loopat;

import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.errors.ErrorShape;
import dev.interlock.server.mcp.McpTool;
import java.util.List;

/** loopat: {@code /api/v1/...} (today its token management) and its error shape. */
public final class LoopatDialect implements Dialect {

  @Override
  public List<McpTool> install(DialectContext c) {
    c.jersey().register(new TokenResource(c.identity().keys(), c.bodies()));
    return List.of();
  }

  @Override
  public ErrorShape errorShape() {
    return new LoopatErrors();
  }
}
