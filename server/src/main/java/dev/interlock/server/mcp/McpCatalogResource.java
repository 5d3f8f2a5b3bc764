package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

  private final ObjectMapper json;
  private final List<McpTool> tools;
  private final String version;
  private final List<String> protocolVersions;
  private final ObjectNode declared;

  McpCatalogResource(ObjectMapper json, List<McpTool> tools, String version,
      List<String> protocolVersions, ObjectNode declared) {
    this.json = json;
    this.tools = tools;
    this.version = version;
    this.protocolVersions = protocolVersions;
    this.declared = declared;
  }

  @GET
  @Path("tools")
  public ObjectNode tools(@Auth Caller caller) {
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("tools");
    for (McpTool tool : tools) {
      ObjectNode t = list.addObject();
      t.put("name", tool.name());
      t.put("description", tool.description());
      t.set("inputSchema", tool.inputSchema());
      t.putObject("annotations").put("readOnlyHint", tool.readOnly()).put("openWorldHint", false);
      t.put("requiredScope", tool.scope());
    }
    out.put("count", tools.size());
    return out;
  }

  @GET
  @Path("capabilities")
  public ObjectNode capabilities(@Auth Caller caller) {
    ObjectNode out = json.createObjectNode();
    out.putObject("serverInfo").put("name", McpModule.SERVER_NAME).put("version", version);
    out.put("protocolVersion", protocolVersions.get(protocolVersions.size() - 1));
    protocolVersions.forEach(out.putArray("protocolVersions")::add);
    out.set("capabilities", declared.deepCopy());
    ObjectNode transport = out.putObject("transport");
    transport.put("type", "streamable-http");
    transport.put("endpoint", "/mcp");
    transport.put("authentication", "X-API-Key or Authorization: Bearer");
    ArrayNode names = out.putArray("tools");
    tools.forEach(t -> names.add(t.name()));
    return out;
  }
}
