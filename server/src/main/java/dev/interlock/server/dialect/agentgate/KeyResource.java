package dev.interlock.server.dialect.agentgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.dialect.agentgate.AgentGateViews.CreatedKeyView;
import dev.interlock.server.dialect.agentgate.AgentGateViews.KeyList;
import dev.interlock.server.dialect.agentgate.AgentGateViews.KeyView;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.model.ApiKeyRow;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * AgentGate's key management ({@code admin} scope), at {@code /api/keys} and its alias
 * {@code /api/api-keys}: the same key store as every dialect, keys prefixed {@code agk_}.
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class KeyResource {

  static final int MAX_RATE_LIMIT = 1_000_000;

  // Class annotations are not inherited, so each concrete path carries @RolesAllowed itself.

  /** The same resource at AgentGate's second path. */
  @Path("/api/api-keys")
  @RolesAllowed(Scopes.ADMIN)
  public static final class Alias extends KeyResource {
    public Alias(ApiKeys keys, JsonBodies bodies, ObjectMapper json) {
      super(keys, bodies, json);
    }
  }

  /** The resource at AgentGate's documented path. */
  @Path("/api/keys")
  @RolesAllowed(Scopes.ADMIN)
  public static final class Main extends KeyResource {
    public Main(ApiKeys keys, JsonBodies bodies, ObjectMapper json) {
      super(keys, bodies, json);
    }
  }

  private final ApiKeys keys;
  private final JsonBodies bodies;

  /**
   * {@code json} is no longer used (the answers are records Jersey renders); the parameter
   * stays until {@code IdentityModule}, which builds this resource, next changes.
   */
  KeyResource(ApiKeys keys, JsonBodies bodies, ObjectMapper json) {
    this.keys = keys;
    this.bodies = bodies;
  }

  /** {@code {name, scopes, rateLimit}}; the key itself is in this response only. */
  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    ObjectNode in = bodies.object(body);
    String name = JsonBodies.limit(JsonBodies.requiredText(in, "name"), "name", 200);
    Set<String> scopes = scopes(in.get("scopes"));
    Long rateLimit = JsonBodies.optionalLong(in, "rateLimit");
    if (rateLimit != null && rateLimit > MAX_RATE_LIMIT) {
      throw new InvalidRequest("rateLimit must be at most " + MAX_RATE_LIMIT + " per minute");
    }
    ApiKeys.Issued issued = keys.issue("agk_", caller.ownerId(), name, null, scopes,
        rateLimit == null || rateLimit <= 0 ? null : rateLimit.intValue());
    return Response.status(Response.Status.CREATED)
        .entity(CreatedKeyView.of(view(issued.row()), issued.rawKey())).build();
  }

  /** {@code {keys}}, as AgentGate's server answers and its SDK reads. */
  @GET
  public KeyList list(@Auth Caller caller) {
    return new KeyList(keys.list(caller.ownerId()).stream().map(this::view).toList());
  }

  @DELETE
  @Path("{id}")
  public Response revoke(@Auth Caller caller, @PathParam("id") String id) {
    keys.revoke(caller.ownerId(), id);
    return Response.noContent().build();
  }

  private KeyView view(ApiKeyRow k) {
    return KeyView.of(k, keys.isActive(k));
  }

  private static Set<String> scopes(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new InvalidRequest("scopes is required (for example [\"request:create\", \"request:read\"])");
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new InvalidRequest("scopes must be a non-empty array of scopes");
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (JsonNode s : node) {
      if (!s.isTextual() || !Scopes.isKnown(s.asText())) {
        throw new InvalidRequest("unknown scope " + s + "; use " + String.join(", ", Scopes.ALL));
      }
      scopes.add(s.asText());
    }
    return scopes;
  }
}
