package dev.interlock.server.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Renders an error in the shape of the dialect a request belongs to, by its path, so every
 * mapper stays dialect-agnostic:
 * <ul>
 *   <li>AgentGate ({@code /api/requests}, {@code /api/policies}, {@code /api/webhooks},
 *       {@code /api/keys}, {@code /api/api-keys}, {@code /api/audit}):
 *       {@code {"error": {"code", "message"}, "code", "message"}}: the spec's shape, and the
 *       same code and message at the top level, where AgentGate's SDK reads them;
 *   <li>loopat ({@code /api/v1/...}): {@code {"error": {"type", "code", "message"}}};
 *   <li>everything else (LoopIn, Loopgate, shared routes): {@code {"error": "message"}}.
 * </ul>
 */
public final class DialectErrors {

  /** AgentGate's error body (see the class comment). */
  record AgentGateError(Detail error, String code, String message) {
    record Detail(String code, String message) {}

    static AgentGateError of(String code, String message) {
      return new AgentGateError(new Detail(code, message), code, message);
    }
  }

  private final ObjectMapper json;

  public DialectErrors(ObjectMapper json) {
    this.json = json;
  }

  public Response render(String path, int status, String code, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body(path, status, code, message)).build();
  }

  /** The error body alone, for answers made outside Jersey (Jetty's errors, the MCP servlet). */
  public Object body(String path, int status, String code, String message) {
    if (isAgentGate(path)) {
      return AgentGateError.of(code, message);
    }
    ObjectNode body = json.createObjectNode();
    if (startsWithSegment(path, "/api/v1")) {
      body.putObject("error").put("type", loopatType(status)).put("code", code)
          .put("message", message);
    } else {
      body.put("error", message);
    }
    return body;
  }

  /** loopat's error types, by status. */
  static String loopatType(int status) {
    return switch (status) {
      case 400, 405, 413, 415 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 409 -> "conflict_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "internal_error" : "invalid_request_error";
    };
  }

  static boolean isAgentGate(String path) {
    return startsWithSegment(path, "/api/requests") || startsWithSegment(path, "/api/policies")
        || startsWithSegment(path, "/api/webhooks") || startsWithSegment(path, "/api/keys")
        || startsWithSegment(path, "/api/api-keys") || startsWithSegment(path, "/api/audit");
  }

  private static boolean startsWithSegment(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  public static String defaultMessage(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Missing or invalid API key";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 406 -> "Not acceptable";
      case 409 -> "Conflict";
      case 413 -> "Request body too large";
      case 415 -> "Unsupported media type";
      case 429 -> "Too many requests";
      case 501 -> "Not implemented";
      case 503 -> "Service temporarily unavailable";
      default -> status >= 500 ? "Internal server error" : "Request failed";
    };
  }

  public static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 429 -> "rate_limited";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal_error" : "error";
    };
  }
}
