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
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the MCP transport's exception answers into JSON-RPC error objects. The SDK's
 * Streamable HTTP transport (2.1.0) answers a message it cannot read (malformed JSON, not
 * a JSON-RPC message, a wrong Accept header) with its whole {@code McpError} exception
 * serialized, stack trace included: a client must never see that. Only answers with a
 * status of 400 or more are held back and rewritten, as
 * {@code {"jsonrpc":"2.0","id":null,"error":{"code","message"}}}; event streams and
 * successful answers pass through untouched.
 */
final class McpErrorBodies implements Filter {

  private static final Logger log = LoggerFactory.getLogger(McpErrorBodies.class);
  static final int INVALID_REQUEST = -32600;
  private static final int MAX_MESSAGE = 200;

  private final ObjectMapper json;

  McpErrorBodies(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletResponse response = (HttpServletResponse) res;
    Holding holding = new Holding(response);
    chain.doFilter(req, holding);
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
    ObjectNode out = json.createObjectNode().put("jsonrpc", "2.0").putNull("id");
    out.putObject("error").put("code", code).put("message", message);
    try {
      return json.writeValueAsBytes(out);
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
