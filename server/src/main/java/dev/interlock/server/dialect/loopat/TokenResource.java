package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.IsoTimes;
import io.dropwizard.auth.Auth;
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
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * loopat's token management, {@code /api/v1/me/tokens}: cookie-only on purpose (a bot
 * holding a token cannot mint more). Tokens are {@code la_<48 hex>} with ids
 * {@code tok_<12 hex>}, kept in the one key store as SHA-256 hashes, and act as the user.
 */
@Path("/api/v1/me/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class TokenResource {

  static final String PREFIX = "la_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ApiKeys keys;
  private final JsonBodies bodies;
  private final ObjectMapper json;

  public TokenResource(ApiKeys keys, JsonBodies bodies, ObjectMapper json) {
    this.keys = keys;
    this.bodies = bodies;
    this.json = json;
  }

  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    requireSession(caller);
    ObjectNode in = bodies.optionalObject(body);
    String label = JsonBodies.limit(JsonBodies.optionalText(in, "label"), "label", 200);
    label = label == null || label.isBlank() ? "default" : label.trim();
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    ApiKeys.Issued issued = keys.issue("tok_" + HexFormat.of().formatHex(id), PREFIX, 24,
        caller.ownerId(), label, null, Scopes.DEFAULT_FOR_USER_KEYS, null);
    ObjectNode n = json.createObjectNode();
    n.put("tokenId", issued.row().id());
    n.put("token", issued.rawKey());
    n.put("label", label);
    n.put("createdAt", IsoTimes.format(issued.row().createdAt()));
    return Response.status(Response.Status.CREATED).entity(n).build();
  }

  @GET
  public ObjectNode list(@Auth Caller caller) {
    requireSession(caller);
    ObjectNode n = json.createObjectNode();
    ArrayNode tokens = n.putArray("tokens");
    for (ApiKeyRow k : keys.list(caller.ownerId())) {
      if (!PREFIX.equals(k.keyPrefix()) || !keys.isActive(k)) {
        continue;
      }
      ObjectNode t = tokens.addObject();
      t.put("tokenId", k.id());
      t.put("label", k.label() != null ? k.label() : k.name());
      t.put("createdAt", IsoTimes.format(k.createdAt()));
      if (k.lastUsedAt() != null) {
        t.put("lastUsedAt", IsoTimes.format(k.lastUsedAt()));
      }
    }
    return n;
  }

  @DELETE
  @Path("{tokenId}")
  public Response revoke(@Auth Caller caller, @PathParam("tokenId") String tokenId) {
    requireSession(caller);
    if (!tokenId.startsWith("tok_")) {
      throw new NotFound("Token not found");
    }
    keys.revoke(caller.ownerId(), tokenId);
    return Response.noContent().build();
  }

  private static void requireSession(Caller caller) {
    if (caller.kind() != Caller.Kind.USER_SESSION) {
      throw new Unauthorized("Token management needs the loopat_session cookie of a logged-in user");
    }
  }
}
