package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the MCP transport's exception answers into JSON-RPC error objects. The SDK's
 * Streamable HTTP transport (2.1.0) answers a message it cannot read (malformed JSON, not
 * a JSON-RPC message, a wrong Accept header) with its whole {@code McpError} exception
 * serialized, stack trace included: a client must never see that. Only answers with a
 * status of 400 or more are held back and rewritten, as
 * {@code {"jsonrpc":"2.0","id":null,"error":{"code","message"}}}; event streams and
 * successful answers pass through untouched. Methods Streamable HTTP does not use are 405
 * here (the servlet would answer 501, a server error).
 */
final class McpErrorBodies implements Filter {

  private static final Logger log = LoggerFactory.getLogger(McpErrorBodies.class);
  static final int INVALID_REQUEST = -32600;
  private static final int MAX_MESSAGE = 200;
  /** What Streamable HTTP uses; OPTIONS is answered by the servlet itself. */
  static final Set<String> ALLOWED_METHODS = Set.of("GET", "POST", "DELETE", "OPTIONS");

  private final ObjectMapper json;
  private final int maxBytes;

  McpErrorBodies(ObjectMapper json, int maxBytes) {
    this.json = json;
    this.maxBytes = maxBytes;
  }

  /**
   * Why a POST body is refused before the transport reads it, or null to let it through.
   * The SDK (2.1.0) fails with a NullPointerException, answered as a 500, on a body that is
   * JSON but not an object ({@code null}, a number, a string). Bodies that are not JSON at
   * all the transport refuses itself; NUL characters in a tool's arguments are refused by
   * the tool call, as a tool error the client's session survives.
   */
  String refusal(byte[] body) {
    if (body.length > maxBytes) {
      return "Request body exceeds " + maxBytes + " bytes";
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      return null;
    }
    if (node == null || node.isMissingNode()) {
      return "The body must be a JSON-RPC message";
    }
    if (!node.isObject() && !(node.isArray() && node.size() > 0)) {
      return "The body must be a JSON-RPC message (a JSON object)";
    }
    return null;
  }

  ObjectNode rpcError(int code, String message) {
    ObjectNode out = json.createObjectNode().put("jsonrpc", "2.0").putNull("id");
    out.putObject("error").put("code", code).put("message", message);
    return out;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletResponse response = (HttpServletResponse) res;
    String method = ((HttpServletRequest) req).getMethod();
    if (!ALLOWED_METHODS.contains(method)) {
      // The servlet would answer 501 Not Implemented (a server error) for PATCH, PUT, ...
      log.warn("405 /mcp: {}", method);
      response.setStatus(405);
      response.setHeader("Allow", "GET, POST, DELETE, OPTIONS");
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      response.getWriter().write(json.writeValueAsString(
          json.createObjectNode().put("error", "Method not allowed")));
      return;
    }
    ServletRequest forwarded = req;
    if (method.equals("POST")) {
      byte[] body = req.getInputStream().readNBytes(maxBytes + 1);
      String refusal = refusal(body);
      if (refusal != null) {
        log.warn("400 /mcp: {}", refusal);
        response.setStatus(400);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json.writeValueAsString(rpcError(INVALID_REQUEST, refusal)));
        return;
      }
      forwarded = new ReplayedBody((HttpServletRequest) req, body);
    }
    Holding holding = new Holding(response);
    chain.doFilter(forwarded, holding);
    if (holding.held == null) {
      return;
    }
    byte[] body = rewrite(holding.held.toByteArray(), response.getStatus());
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  byte[] rewrite(byte[] original, int status) {
    int code = INVALID_REQUEST;
    String message = null;
    try {
      JsonNode node = json.readTree(original);
      JsonNode rpc = node == null ? null : node.path("jsonRpcError");
      if (rpc != null && rpc.isObject()) {
        code = rpc.path("code").asInt(INVALID_REQUEST);
        message = rpc.path("message").asText(null);
      } else if (node != null && node.has("stackTrace")) {
        message = node.path("message").asText(null);
      } else {
        return original; // an answer of ours or a JSON-RPC error: nothing to hide
      }
    } catch (IOException | RuntimeException e) {
      return original; // not JSON, so not a serialized exception
    }
    if (message == null || message.isBlank()) {
      message = "Request refused (HTTP " + status + ")";
    } else if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    log.warn("{} /mcp: {}", status, message);
    try {
      return json.writeValueAsBytes(rpcError(code, message));
    } catch (IOException e) {
      return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid request\"}}"
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Holds the body back once the status says it is an error. */
  private static final class Holding extends HttpServletResponseWrapper {
    ByteArrayOutputStream held;
    private PrintWriter writer;

    Holding(HttpServletResponse response) {
      super(response);
    }

    private boolean error() {
      return getStatus() >= 400;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (!error()) {
        return super.getOutputStream();
      }
      if (held == null) {
        held = new ByteArrayOutputStream();
      }
      ByteArrayOutputStream target = held;
      return new ServletOutputStream() {
        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void write(int b) {
          target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          target.write(b, off, len);
        }
      };
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (!error()) {
        return super.getWriter();
      }
      if (writer == null) {
        writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), StandardCharsets.UTF_8), true);
      }
      return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
      if (held != null) {
        if (writer != null) {
          writer.flush();
        }
        return;
      }
      super.flushBuffer();
    }
  }
}
