package dev.interlock.server.dialect.loopat;

import dev.interlock.server.service.LoopService;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.errors.ErrorShape;
import dev.interlock.server.mcp.McpTool;
import java.util.List;
import org.eclipse.jetty.util.component.LifeCycle;

/** loopat: {@code /api/v1/...}: its tokens, its loops and their streams, its error shape. */
public final class LoopatDialect implements Dialect {

  @Override
  public List<McpTool> install(DialectContext c) {
    c.jersey().register(new TokenResource(c.identity().keys(), c.bodies()));
    LoopStreams streams = new LoopStreams(c.loops(), c.json(), c.loopPingInterval());
    c.lifecycle().manage(streams);
    // Open streams would hold Jetty's graceful stop for its whole timeout (30 s), and the
    // worker, which stops the running turns' agents, stops only after it.
    c.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(LifeCycle event) {
        streams.stop();
      }
    });
    // A message may hold 1 MB of text, which JSON escaping can make several times larger.
    JsonBodies messages = new JsonBodies(c.json(), 8 * LoopService.MAX_CONTENT_BYTES);
    c.jersey().register(new LoopResource(c.loops(), new LoopViews(c.json()), streams, c.bodies(),
        messages));
    return LoopatTools.install(c, new LoopViews(c.json()));
  }

  @Override
  public ErrorShape errorShape() {
    return new LoopatErrors();
  }
}
