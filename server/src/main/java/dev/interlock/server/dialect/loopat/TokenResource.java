package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.wire.JsonBodies;
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
import java.util.List;
import java.util.Set;

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

  /** The create body, optional as a whole: {@code {label?}}. */
  public record TokenBody(String label) {

    /** The label to keep: at most 200 characters, trimmed, {@code default} when blank. */
    public String validLabel() {
      String checked = JsonBodies.limit(label, "label", 200);
      return checked == null || checked.isBlank() ? "default" : checked.trim();
    }
  }

  /** The create answer: the only time the token is shown. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"tokenId", "token", "label", "createdAt"})
  public record CreatedToken(String tokenId, String token, String label, String createdAt) {}

  /** A token in the list, without the token; {@code lastUsedAt} only once it was used. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"tokenId", "label", "createdAt", "lastUsedAt"})
  public record TokenView(String tokenId, String label, String createdAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String lastUsedAt) {
    static TokenView of(ApiKeyRow k) {
      return new TokenView(k.id(), k.label() != null ? k.label() : k.name(),
          IsoTimes.format(k.createdAt()), IsoTimes.format(k.lastUsedAt()));
    }
  }

  /** {@code GET /api/v1/me/tokens}: the user's live tokens. */
  public record TokenList(List<TokenView> tokens) {}

  private final ApiKeys keys;
  private final JsonBodies bodies;

  public TokenResource(ApiKeys keys, JsonBodies bodies) {
    this.keys = keys;
    this.bodies = bodies;
  }

  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    requireSession(caller);
    String label = bodies.readOptional(body, TokenBody.class).validLabel();
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    ApiKeys.Issued issued = keys.issue("tok_" + HexFormat.of().formatHex(id), PREFIX, 24,
        caller, label, null, tokenScopes(caller), null);
    return Response.status(Response.Status.CREATED).entity(new CreatedToken(issued.row().id(),
        issued.rawKey(), label, IsoTimes.format(issued.row().createdAt()))).build();
  }

  @GET
  public TokenList list(@Auth Caller caller) {
    requireSession(caller);
    return new TokenList(keys.list(caller.ownerId()).stream()
        .filter(k -> PREFIX.equals(k.keyPrefix()) && keys.isActive(k) && mine(caller, k))
        .map(TokenView::of)
        .toList());
  }

  @DELETE
  @Path("{tokenId}")
  public Response revoke(@Auth Caller caller, @PathParam("tokenId") String tokenId) {
    requireSession(caller);
    if (!tokenId.startsWith("tok_")) {
      throw new NotFound("Token not found");
    }
    if (keys.list(caller.ownerId()).stream()
        .noneMatch(k -> k.id().equals(tokenId) && mine(caller, k))) {
      // Another member's token reads as a missing one, in the words the key store uses.
      throw new NotFound("API key not found");
    }
    keys.revoke(caller.ownerId(), tokenId);
    return Response.noContent().build();
  }

  /**
   * A token can do what its user may do in the workspace, never more: an admin's gets the
   * usual user-key scopes, a reviewer's read and decide, a viewer's read.
   */
  private static Set<String> tokenScopes(Caller caller) {
    if (caller.hasScope(Scopes.ADMIN)) {
      return Scopes.DEFAULT_FOR_USER_KEYS;
    }
    return Scopes.DEFAULT_FOR_USER_KEYS.stream().filter(caller::hasScope)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** "me/tokens": the tokens this user minted (tokens from before workspaces: the owner's). */
  private static boolean mine(Caller caller, ApiKeyRow k) {
    return k.createdBy() == null ? caller.ownerId().equals(caller.userId())
        : k.createdBy().toString().equals(caller.userId());
  }

  private static void requireSession(Caller caller) {
    if (caller.kind() != Caller.Kind.USER_SESSION) {
      throw new Unauthorized("Token management needs the loopat_session cookie of a logged-in user");
    }
  }
}
