package dev.interlock.server.dialect.agentgate;

import dev.interlock.model.ApiKeyRow;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.dialect.agentgate.AgentGateInput.KeyBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.NewKey;
import dev.interlock.server.dialect.agentgate.AgentGateViews.CreatedKeyView;
import dev.interlock.server.dialect.agentgate.AgentGateViews.KeyList;
import dev.interlock.server.dialect.agentgate.AgentGateViews.KeyView;
import dev.interlock.server.wire.JsonBodies;
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

/**
 * AgentGate's key management ({@code admin} scope), at {@code /api/keys} and its alias
 * {@code /api/api-keys}: the same key store as every dialect, keys prefixed {@code agk_}.
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class KeyResource {

  // Class annotations are not inherited, so each concrete path carries @RolesAllowed itself.

  /** The same resource at AgentGate's second path. */
  @Path("/api/api-keys")
  @RolesAllowed(Scopes.ADMIN)
  public static final class Alias extends KeyResource {
    public Alias(ApiKeys keys, JsonBodies bodies) {
      super(keys, bodies);
    }
  }

  /** The resource at AgentGate's documented path. */
  @Path("/api/keys")
  @RolesAllowed(Scopes.ADMIN)
  public static final class Main extends KeyResource {
    public Main(ApiKeys keys, JsonBodies bodies) {
      super(keys, bodies);
    }
  }

  private final ApiKeys keys;
  private final JsonBodies bodies;

  KeyResource(ApiKeys keys, JsonBodies bodies) {
    this.keys = keys;
    this.bodies = bodies;
  }

  /** {@code {name, scopes, rateLimit}}; the key itself is in this response only. */
  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    NewKey in = bodies.read(body, KeyBody.class).validated();
    ApiKeys.Issued issued = keys.issue("agk_", caller, in.name(), null, in.scopes(),
        in.rateLimit());
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
}
