package dev.interlock.server.mcp;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Loopgate's plain REST view of the MCP server: {@code GET /mcp/tools} lists the tools the
 * MCP endpoint serves (the same list, with their input schemas, in the shape of MCP's
 * {@code tools/list} result) and {@code GET /mcp/capabilities} what the server declares
 * in its {@code initialize} answer.
 * Any valid key may read them.
 */
@Path("/mcp")
@Produces(MediaType.APPLICATION_JSON)
public final class McpCatalogResource {

  private final List<McpTool> tools;
  private final String version;
  private final List<String> protocolVersions;
  private final ObjectNode declared;

  McpCatalogResource(ObjectMapper json, List<McpTool> tools, String version,
      List<String> protocolVersions, ObjectNode declared) {
    this.tools = tools;
    this.version = version;
    this.protocolVersions = protocolVersions;
    this.declared = declared;
  }

  /** One tool as {@code tools/list} describes it, with the scope it needs. */
  @JsonPropertyOrder({"name", "description", "inputSchema", "annotations", "requiredScope"})
  public record ToolEntry(String name, String description, ObjectNode inputSchema,
      Annotations annotations, String requiredScope) {}

  @JsonPropertyOrder({"readOnlyHint", "openWorldHint"})
  public record Annotations(boolean readOnlyHint, boolean openWorldHint) {}

  @JsonPropertyOrder({"tools", "count"})
  public record ToolList(List<ToolEntry> tools, int count) {}

  @JsonPropertyOrder({"name", "version"})
  public record ServerInfo(String name, String version) {}

  @JsonPropertyOrder({"type", "endpoint", "authentication"})
  public record Transport(String type, String endpoint, String authentication) {}

  @JsonPropertyOrder({"serverInfo", "protocolVersion", "protocolVersions", "capabilities",
      "transport", "tools"})
  public record Capabilities(ServerInfo serverInfo, String protocolVersion,
      List<String> protocolVersions, ObjectNode capabilities, Transport transport,
      List<String> tools) {}

  @GET
  @Path("tools")
  public ToolList tools(@Auth Caller caller) {
    List<ToolEntry> list = tools.stream().map(tool -> new ToolEntry(tool.name(),
        tool.description(), tool.inputSchema(), new Annotations(tool.readOnly(), false),
        tool.scope())).toList();
    return new ToolList(list, list.size());
  }

  @GET
  @Path("capabilities")
  public Capabilities capabilities(@Auth Caller caller) {
    return new Capabilities(new ServerInfo(McpModule.SERVER_NAME, version),
        protocolVersions.get(protocolVersions.size() - 1), protocolVersions, declared.deepCopy(),
        new Transport("streamable-http", "/mcp", "X-API-Key or Authorization: Bearer"),
        tools.stream().map(McpTool::name).toList());
  }
}
