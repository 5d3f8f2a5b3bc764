package dev.interlock.server.dialect.loopat;

import dev.interlock.server.errors.ErrorShape;

/** loopat's error body on {@code /api/v1/...}: {@code {"error": {"type", "code", "message"}}}. */
final class LoopatErrors implements ErrorShape {

  record LoopatError(Detail error) {
    record Detail(String type, String code, String message) {}
  }

  @Override
  public boolean owns(String path) {
    return ErrorShape.startsWithSegment(path, "/api/v1");
  }

  @Override
  public Object body(int status, String code, String message) {
    return new LoopatError(new LoopatError.Detail(type(status), code, message));
  }

  /** loopat's error types, by status. */
  static String type(int status) {
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
}
