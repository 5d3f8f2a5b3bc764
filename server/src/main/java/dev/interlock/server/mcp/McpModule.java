package dev.interlock.server.mcp;

import dev.interlock.server.service.LoopService;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.IdentityModule.Identity;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.config.McpConfig;
import dev.interlock.server.http.ClientDisconnects;
import dev.interlock.server.service.InterruptService;
import io.dropwizard.core.setup.Environment;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.component.LifeCycle;
import dev.interlock.server.metrics.InterlockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP endpoint, wired in one place: the tools of every dialect and the blocking ones,
 * the SDK's Streamable HTTP transport as a servlet at {@code /mcp} behind
 * {@link McpAuthFilter}, Origin/Host validation against DNS rebinding, the REST listing at
 * {@code /mcp/tools} and {@code /mcp/capabilities}, and shutdown.
 *
 * <p>The servlet is mapped at {@code /mcp} only: the transport answers nothing but its
 * endpoint, and a {@code /mcp/*} mapping would hide the REST listing from Jersey.
 */
public final class McpModule {

  static final String SERVER_NAME = "interlock";
  private static final Logger log = LoggerFactory.getLogger(McpModule.class);

  /**
   * What the tools are built on: the core's services and links, and the dialects' tools
   * (each dialect builds its own over the same services and views as its resources).
   */
  public record Services(InterruptService interrupts, ReviewLinks links,
      List<McpTool> dialectTools, Clock clock, long maxExpiresInSeconds,
      ClientDisconnects disconnects, LoopService loops, InterlockMetrics metrics) {}

  private McpModule() {}

  /** Every tool, in the order clients list them. */
  static List<McpTool> tools(Services s, BlockingWait wait, ObjectMapper json, McpConfig config) {
    List<McpTool> tools = new ArrayList<>();
    tools.addAll(new BlockingTools(s.interrupts(), s.loops(), s.links(), wait, json, s.clock(),
        config.maxBlockingWait.toJavaDuration(), s.maxExpiresInSeconds()).tools());
    tools.addAll(s.dialectTools());
    return List.copyOf(tools);
  }

  public static void install(McpConfig config, String baseUrl, int maxBodyBytes,
      Environment environment, Identity identity, Services services) {
    if (!config.enabled) {
      log.info("mcp.enabled is false: no MCP endpoint");
      return;
    }
    ObjectMapper json = environment.getObjectMapper();
    BlockingWait wait = new BlockingWait(services.interrupts(), services.clock(),
        config.progressInterval.toJavaDuration(), services.metrics());
    List<McpTool> tools = tools(services, wait, json, config);

    // The SDK's records carry their own Jackson annotations; a plain mapper reads them as
    // the SDK expects, without the modules Dropwizard adds to its own.
    JacksonMcpJsonMapper mcpJson = new JacksonMcpJsonMapper(new ObjectMapper());
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(mcpJson)
            .mcpEndpoint("/mcp")
            .maxRequestSize(maxBodyBytes)
            .httpHeaderValidator(DefaultServerTransportSecurityValidator.builder()
                .allowedOrigins(allowedOrigins(config, baseUrl))
                .allowedHosts(allowedHosts(config, baseUrl))
                .build())
            .contextExtractor(request -> {
              Map<String, Object> context = new HashMap<>();
              if (request.getAttribute(McpAuthFilter.CALLER) instanceof Caller caller) {
                context.put(McpAuthFilter.CALLER, caller);
              }
              context.put(ExchangeToolCall.HTTP_REQUEST, request);
              return McpTransportContext.create(context);
            })
            .build();
    String version = version();
    McpToolSpecs specs = new McpToolSpecs(json,
        exchange -> exchange.transportContext().get(McpAuthFilter.CALLER) instanceof Caller c
            ? c : null, services.disconnects(), services.metrics());
    // Handlers run on the request's own (Jetty) thread, which the transport holds until the
    // call completes anyway, rather than on Reactor's small bounded pool: a blocking tool
    // then waits without starving other calls.
    McpSyncServer server = McpServer.sync(transport)
        .serverInfo(new McpSchema.Implementation(SERVER_NAME, "Interlock", version))
        .instructions("Interlock puts a person in the loop. ask_human and approval_prompt wait"
            + " for a person's answer; loop_create, loop_send (it waits until the agent's turn"
            + " ends), loop_get, loop_answer_choice and loop_interrupt drive a coding agent's"
            + " loops (loopat); loop_get_next_task claims Loop's best unblocked issue with its"
            + " prompt, loop_heartbeat keeps the claim and loop_complete_task finishes it;"
            + " loop_create_issue, loop_update_issue, loop_get_issue, loop_list_issues,"
            + " loop_create_comment, loop_ingest_signal and loop_get_dashboard work Loop's"
            + " improvement engine (issues, comments, signals, its dashboard); the other tools create, read, decide and cancel interrupts in"
            + " the words of Loopgate, LoopIn and AgentGate.")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .jsonMapper(mcpJson)
        .immediateExecution(true)
        .validateToolInputs(false) // the dialect parsers answer in the same words as REST
        .tools(specs.specs(tools))
        .build();

    var servlet = environment.servlets().addServlet("mcp", transport);
    servlet.setAsyncSupported(true);
    servlet.addMapping("/mcp");
    var filter = environment.servlets().addFilter("mcp-auth",
        new McpAuthFilter(identity.credentials(), identity.usage(), identity.rateLimiter(), json,
            maxBodyBytes));
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/mcp");
    // The transport's own refusals carry its exception, stack included: rewrite them.
    var errorBodies = environment.servlets().addFilter("mcp-error-bodies",
        new McpErrorBodies(json, maxBodyBytes));
    errorBodies.setAsyncSupported(true);
    errorBodies.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/mcp");

    environment.jersey().register(new McpCatalogResource(json, tools, version,
        transport.protocolVersions(), new ObjectMapper().valueToTree(server.getServerCapabilities())));

    // Waiting calls end when the server starts stopping (their interrupts stay pending),
    // so they do not hold Jetty's graceful stop; then the sessions close.
    environment.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(LifeCycle event) {
        wait.stop();
        try {
          server.closeGracefully();
        } catch (RuntimeException e) {
          log.warn("closing the MCP server: {}", e.getMessage());
        }
      }
    });
  }

  /** Loopback origins on any port, the base URL's origin, and the configured ones. */
  static List<String> allowedOrigins(McpConfig config, String baseUrl) {
    List<String> origins = new ArrayList<>();
    for (String scheme : List.of("http", "https")) {
      for (String host : List.of("localhost", "127.0.0.1", "[::1]")) {
        origins.add(scheme + "://" + host + ":*");
      }
    }
    URI base = URI.create(baseUrl);
    if (base.getScheme() != null && base.getHost() != null) {
      origins.add(base.getScheme() + "://" + base.getHost()
          + (base.getPort() > 0 ? ":" + base.getPort() : ""));
    }
    origins.addAll(config.getAllowedOrigins());
    return origins;
  }

  /** localhost, 127.0.0.1 and [::1] and the base URL's host on any port, and the configured ones. */
  static List<String> allowedHosts(McpConfig config, String baseUrl) {
    List<String> hosts = new ArrayList<>(List.of("localhost:*", "127.0.0.1:*", "[::1]:*"));
    URI base = URI.create(baseUrl);
    if (base.getHost() != null) {
      hosts.add(base.getHost() + ":*");
    }
    hosts.addAll(config.getAllowedHosts());
    return hosts;
  }

  static String version() {
    String v = McpModule.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
