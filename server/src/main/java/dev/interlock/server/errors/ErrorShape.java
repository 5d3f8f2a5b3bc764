package dev.interlock.server.errors;

/**
 * How one dialect writes an error, for the paths it owns. Paths no shape owns get the core's
 * {@code {"error": "message"}} (LoopIn's, Loopgate's and the shared routes').
 */
public interface ErrorShape {

  /** Whether a request to {@code path} (no context path, no query) is this dialect's. */
  boolean owns(String path);

  /** The error body, serialized by Jackson. */
  Object body(int status, String code, String message);

  /** Whether {@code path} is {@code prefix} or lies below it. */
  static boolean startsWithSegment(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }
}
