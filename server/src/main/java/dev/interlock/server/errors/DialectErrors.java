package dev.interlock.server.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Renders an error in the shape of the dialect a request belongs to, by its path, so every
 * mapper stays dialect-agnostic: each dialect with a shape of its own hands in an
 * {@link ErrorShape}; everything else (LoopIn, Loopgate, shared routes) answers
 * {@code {"error": "message"}}.
 */
public final class DialectErrors {

  /** The core's error body. */
  record CoreError(String error) {}

  private final List<ErrorShape> shapes;

  public DialectErrors(List<ErrorShape> shapes) {
    this.shapes = List.copyOf(shapes);
  }

  public Response render(String path, int status, String code, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body(path, status, code, message)).build();
  }

  /** The error body alone, for answers made outside Jersey (Jetty's errors, the MCP servlet). */
  public Object body(String path, int status, String code, String message) {
    for (ErrorShape shape : shapes) {
      if (shape.owns(path)) {
        return shape.body(status, code, message);
      }
    }
    return new CoreError(message);
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
