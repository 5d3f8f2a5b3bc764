package dev.interlock.server.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.errors.ErrorShape;
import dev.interlock.server.mcp.McpTool;
import java.time.Instant;
import java.util.List;

/**
 * One product's API, spoken over the core: everything it needs lives in its own package
 * ({@code dialect/<product>}), and the application registers it with one line. Deleting a
 * dialect's package and that line leaves a server that compiles and speaks the others.
 */
public interface Dialect {

  /** Registers the dialect's resources with Jersey; returns its MCP tools, in listing order. */
  List<McpTool> install(DialectContext context);

  /** How the dialect writes errors on its paths, or null for the core's shape. */
  default ErrorShape errorShape() {
    return null;
  }

  /**
   * The callback body for an interrupt this dialect created (Jackson renders it), or null
   * when the interrupt is not this dialect's or the core's outcome body is its shape.
   */
  default Object callbackBody(InterruptRow row) {
    return null;
  }

  /** The payload of a webhook event, or null when the dialect has no webhooks. */
  default JsonNode webhookPayload(String event, InterruptRow row, Instant at) {
    return null;
  }
}
