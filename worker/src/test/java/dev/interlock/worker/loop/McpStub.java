package dev.interlock.worker.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The smallest MCP Streamable HTTP server that answers a permission prompt: initialize,
 * notifications/initialized and one tools/call, answered the way a test chooses. It keeps
 * every request, so a test can check what the fake agent sent.
 */
final class McpStub implements AutoCloseable {

  static final String SESSION = "mcp-session-7f3a";

  /** How tools/call is answered. */
  enum Transport {
    /** One application/json body. */
    JSON,
    /** An event stream: a progress notification, a comment, then the answer. */
    SSE,
    /** The connection is closed without an answer. */
    CLOSE,
    /** An event stream that ends after a progress notification, without the answer. */
    SSE_THEN_END
  }

  record Call(String method, Headers headers, JsonNode body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  private final ObjectMapper mapper;
  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile Transport transport = Transport.JSON;
  private volatile ObjectNode answer; // the JSON-RPC "result" or "error" member

  private McpStub(ObjectMapper mapper, HttpServer server) {
    this.mapper = mapper;
    this.server = server;
  }

  static McpStub start(ObjectMapper mapper) {
    try {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      McpStub stub = new McpStub(mapper, server);
      server.createContext("/mcp", stub::handle);
      server.start();
      return stub;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
  }

  /** tools/call answers with one text content holding {@code decision} (JSON). */
  McpStub decide(Transport how, String decision) {
    ObjectNode result = mapper.createObjectNode();
    result.putArray("content").addObject().put("type", "text").put("text", decision);
    return answer(how, mapper.createObjectNode().set("result", result));
  }

  /** tools/call answers with a tool result marked {@code isError}. */
  McpStub toolError(String text) {
    ObjectNode result = mapper.createObjectNode().put("isError", true);
    result.putArray("content").addObject().put("type", "text").put("text", text);
    return answer(Transport.JSON, mapper.createObjectNode().set("result", result));
  }

  /** tools/call answers with a JSON-RPC error. */
  McpStub rpcError(String message) {
    ObjectNode error = mapper.createObjectNode().put("code", -32603).put("message", message);
    return answer(Transport.JSON, mapper.createObjectNode().set("error", error));
  }

  McpStub answer(Transport how, ObjectNode member) {
    transport = how;
    answer = member;
    return this;
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<String> methods() {
    return calls.stream().map(Call::method).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    JsonNode body = mapper.readTree(exchange.getRequestBody().readAllBytes());
    String method = body.path("method").asText();
    calls.add(new Call(method, exchange.getRequestHeaders(), body));
    if (!body.has("id")) {
      exchange.sendResponseHeaders(202, -1); // a notification: accepted, no body
      exchange.close();
      return;
    }
    ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0");
    response.set("id", body.get("id"));
    if (method.equals("initialize")) {
      ObjectNode result = response.putObject("result").put("protocolVersion", "2025-06-18");
      result.putObject("capabilities").putObject("tools");
      result.putObject("serverInfo").put("name", "mcp-stub").put("version", "1");
      exchange.getResponseHeaders().add("Mcp-Session-Id", SESSION);
      json(exchange, response);
      return;
    }
    if (answer != null) {
      response.setAll(answer);
    }
    switch (transport) {
      case JSON -> json(exchange, response);
      case SSE -> events(exchange, response);
      case SSE_THEN_END -> events(exchange, null);
      case CLOSE -> exchange.close(); // no headers sent: the server drops the connection
      default -> throw new IllegalStateException();
    }
  }

  private void json(HttpExchange exchange, JsonNode response) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(response);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** An SSE answer; the answer's JSON spans several data lines, as SSE allows. */
  private void events(HttpExchange exchange, JsonNode response) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      ObjectNode progress = mapper.createObjectNode().put("jsonrpc", "2.0")
          .put("method", "notifications/progress");
      progress.putObject("params").put("progressToken", 1).put("progress", 0);
      write(out, "event: message\ndata: " + mapper.writeValueAsString(progress) + "\n\n");
      write(out, ": waiting for a person\n\n");
      if (response != null) {
        String pretty = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(response);
        StringBuilder event = new StringBuilder("event: message\n");
        pretty.lines().forEach(line -> event.append("data: ").append(line).append('\n'));
        write(out, event.append('\n').toString());
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
