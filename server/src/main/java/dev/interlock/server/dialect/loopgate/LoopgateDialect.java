package dev.interlock.server.dialect.loopgate;

import dev.interlock.server.auth.Caller;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.server.wire.Questions;
import dev.interlock.model.IsoTimes;
import java.util.List;

/** Loopgate: {@code /hitl/...}, its users and API keys, its MCP tools and its callback body. */
public final class LoopgateDialect implements Dialect {

  /** The source the core records for interrupts made through Loopgate's doors. */
  static final String SOURCE = "loopgate";

  /**
   * Loopgate's callback: {@code {request_id, status, response, approved, completed,
   * timestamp}} with Loopgate's statuses (completed, timeout, canceled).
   */
  @JsonPropertyOrder({"request_id", "status", "response", "approved", "completed", "timestamp"})
  record Callback(
      @JsonProperty("request_id") String requestId,
      String status, String response, boolean approved, boolean completed, String timestamp) {}

  @Override
  public List<McpTool> install(DialectContext c) {
    // A session's owner is the person behind the key that asks: Loopgate routes its
    // questions to that person, so Interlock's interrupts name them as the assignee.
    java.util.function.Function<Caller, java.util.Optional<String>> owner =
        c.identity().keys()::personBehind;
    c.jersey().register(new HitlResource(c.interrupts(), c.longPoll(), c.sessions(), c.bodies(),
        c.clock(), c.limits().maxWaitSeconds, c.limits().maxExpiresInSeconds, owner));
    c.jersey().register(new AuthResource(c.identity().users(), c.identity().throttle(),
        c.bodies(), c.identity().tokens().lifetime(), c.secure()));
    c.jersey().register(new ApiKeyResource(c.identity().keys(),
        new ApiKeyViews(c.identity().keys()), c.bodies(), c.clock()));
    return new LoopgateTools(c.interrupts(), c.sessions(), c.bodies(), c.json(), c.clock(),
        c.limits().maxExpiresInSeconds, owner).tools();
  }

  @Override
  public Object callbackBody(InterruptRow row) {
    if (!SOURCE.equals(row.source())) {
      return null;
    }
    return new Callback(row.id(), LoopgateStatus.of(row.status()),
        Questions.answer(row), "approved".equals(row.decision()), !row.isPending(),
        IsoTimes.format(row.decidedAt()));
  }
}
