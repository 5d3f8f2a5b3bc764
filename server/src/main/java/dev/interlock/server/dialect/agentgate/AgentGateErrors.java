package dev.interlock.server.dialect.agentgate;

import static dev.interlock.server.errors.ErrorShape.startsWithSegment;

import dev.interlock.server.errors.ErrorShape;

/**
 * AgentGate's error body on its paths ({@code /api/requests}, {@code /api/policies},
 * {@code /api/webhooks}, {@code /api/keys}, {@code /api/api-keys}, {@code /api/audit}):
 * {@code {"error": {"code", "message"}, "code", "message"}}: the spec's shape, and the same
 * code and message at the top level, where AgentGate's SDK reads them.
 */
final class AgentGateErrors implements ErrorShape {

  record AgentGateError(Detail error, String code, String message) {
    record Detail(String code, String message) {}
  }

  @Override
  public boolean owns(String path) {
    return startsWithSegment(path, "/api/requests") || startsWithSegment(path, "/api/policies")
        || startsWithSegment(path, "/api/webhooks") || startsWithSegment(path, "/api/keys")
        || startsWithSegment(path, "/api/api-keys") || startsWithSegment(path, "/api/audit");
  }

  @Override
  public Object body(int status, String code, String message) {
    return new AgentGateError(new AgentGateError.Detail(code, message), code, message);
  }
}
