package dev.interlock.server.dialect.agentgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.dialect.Dialect;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.errors.ErrorShape;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.model.IsoTimes;
import java.time.Instant;
import java.util.List;

/**
 * AgentGate: {@code /api/requests}, policies, webhooks, audit, keys, its MCP tools, its error
 * shape, and the webhook payloads every interrupt's events carry.
 */
public final class AgentGateDialect implements Dialect {

  private final ObjectMapper json;

  public AgentGateDialect(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public List<McpTool> install(DialectContext c) {
    AgentGateViews views = new AgentGateViews(c.json(), c.clock());
    c.jersey().register(new RequestResource(c.interrupts(), views, c.bodies(), c.clock(),
        c.limits().maxExpiresInSeconds));
    c.jersey().register(new PolicyResource(c.policies(), views, c.bodies()));
    c.jersey().register(new AuditResource(c.interrupts(), views));
    c.jersey().register(new WebhookResource(c.webhooks(), views, c.bodies()));
    c.jersey().register(new KeyResource.Main(c.identity().keys(), c.bodies()));
    c.jersey().register(new KeyResource.Alias(c.identity().keys(), c.bodies()));
    return new AgentGateTools(c.interrupts(), c.policies(), views, c.bodies(), c.clock(),
        c.limits().maxExpiresInSeconds).tools();
  }

  @Override
  public ErrorShape errorShape() {
    return new AgentGateErrors();
  }

  /**
   * {@code {event, data: {request}, timestamp}}, the request as {@code /api/requests} shows it;
   * a tree because the worker stores it as written.
   */
  @Override
  public JsonNode webhookPayload(String event, InterruptRow row, Instant at) {
    return json.valueToTree(new AgentGateViews.WebhookPayload(event,
        new AgentGateViews.WebhookPayload.Data(AgentGateViews.RequestView.of(row)),
        IsoTimes.format(at)));
  }
}
