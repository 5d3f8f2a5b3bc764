package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MCP on a pair of streams (a desktop client's stdin and stdout), forwarded to a running
 * Interlock server's {@code /mcp} with the SDK's Streamable HTTP client: the stdio server
 * offers exactly the tools the remote server lists, and each call is the remote call with
 * the same arguments and progress token; the remote's progress notifications are relayed
 * to the call that asked for them. Runs until the input ends.
 */
public final class McpStdioBridge {

  private static final Logger log = LoggerFactory.getLogger(McpStdioBridge.class);

  /** Blocking tools wait as long as the server allows; this only bounds a lost server. */
  static final Duration CALL_TIMEOUT = Duration.ofHours(24);

  private final String baseUrl;
  private final String apiKey;

  public McpStdioBridge(String url, String apiKey) {
    this.baseUrl = url;
    this.apiKey = apiKey;
  }

  /** Serves until {@code in} ends. Throws if the server cannot be reached or refuses the key. */
  public void run(InputStream in, OutputStream out) throws InterruptedException {
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    Map<Object, McpSyncServerExchange> progressRoutes = new ConcurrentHashMap<>();
    // Relayed on a thread of its own, in order: the client transport delivers notifications
    // on threads where the sync exchange's blocking send must not run.
    ExecutorService relay = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mcp-stdio-progress");
      t.setDaemon(true);
      return t;
    });
    URI endpoint = endpoint(baseUrl);
    McpSyncClient remote = McpClient.sync(HttpClientStreamableHttpTransport
            .builder(endpoint.getScheme() + "://" + endpoint.getRawAuthority())
            .endpoint(endpoint.getRawPath())
            .jsonMapper(json)
            .requestBuilder(HttpRequest.newBuilder().header("X-API-Key", apiKey))
            .build())
        .clientInfo(new McpSchema.Implementation("interlock-mcp-stdio", McpModule.version()))
        .requestTimeout(CALL_TIMEOUT)
        .progressConsumer(p -> relay.execute(() -> {
          McpSyncServerExchange exchange = progressRoutes.get(p.progressToken());
          if (exchange != null) {
            try {
              exchange.progressNotification(p);
            } catch (RuntimeException e) {
              log.debug("progress not relayed: {}", e.getMessage());
            }
          }
        }))
        .build();
    McpSyncServer server = null;
    try {
      remote.initialize();
      List<McpSchema.Tool> tools = remote.listTools().tools();
      log.info("forwarding {} tools to {}", tools.size(), endpoint);

      CountDownLatch ended = new CountDownLatch(1);
      StdioServerTransportProvider stdio =
          new StdioServerTransportProvider(json, new EndSignalling(in, ended), out);
      server = McpServer.sync(stdio)
          .serverInfo(remote.getServerInfo())
          .instructions(remote.getServerInstructions())
          .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
          .jsonMapper(json)
          .validateToolInputs(false) // the server validates, in the same words as REST
          .tools(tools.stream().map(t -> forward(t, remote, progressRoutes)).toList())
          .build();
      ended.await();
      log.info("input ended; closing");
    } finally {
      if (server != null) {
        server.closeGracefully();
      }
      remote.closeGracefully();
      relay.shutdownNow();
    }
  }

  private static SyncToolSpecification forward(McpSchema.Tool tool, McpSyncClient remote,
      Map<Object, McpSyncServerExchange> progressRoutes) {
    return new SyncToolSpecification(tool, (exchange, request) -> {
      Object token = request.meta() == null ? null : request.meta().get("progressToken");
      if (token != null) {
        progressRoutes.put(token, exchange);
      }
      try {
        return remote.callTool(
            new CallToolRequest(request.name(), request.arguments(), request.meta()));
      } catch (McpError e) {
        throw e; // a protocol error of the server's is one of ours too
      } catch (RuntimeException e) {
        log.warn("{} could not be forwarded: {}", request.name(), e.getMessage());
        return CallToolResult.builder().isError(true)
            .addTextContent("Interlock could not be reached: " + e.getMessage()).build();
      } finally {
        if (token != null) {
          progressRoutes.remove(token);
        }
      }
    });
  }

  /** {@code INTERLOCK_URL} may name the server ({@code http://host:8080}) or its /mcp. */
  static URI endpoint(String url) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri = URI.create(trimmed.endsWith("/mcp") ? trimmed : trimmed + "/mcp");
    if (uri.getScheme() == null || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("INTERLOCK_URL must be an http(s) URL, e.g."
          + " http://localhost:8080; it was: " + url);
    }
    return uri;
  }

  /** Counts down when the stream ends (or fails), so the bridge knows to stop. */
  private static final class EndSignalling extends FilterInputStream {
    private final CountDownLatch ended;

    EndSignalling(InputStream in, CountDownLatch ended) {
      super(in);
      this.ended = ended;
    }

    @Override
    public int read() throws IOException {
      return signal(guard(super::read));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return signal(guard(() -> super.read(b, off, len)));
    }

    private int guard(IoRead read) throws IOException {
      try {
        return read.read();
      } catch (IOException e) {
        ended.countDown();
        throw e;
      }
    }

    private int signal(int n) {
      if (n < 0) {
        ended.countDown();
      }
      return n;
    }

    @FunctionalInterface
    private interface IoRead {
      int read() throws IOException;
    }
  }
}
