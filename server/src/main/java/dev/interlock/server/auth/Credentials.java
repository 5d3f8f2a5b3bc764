package dev.interlock.server.auth;

import dev.interlock.server.errors.Unauthorized;
import io.dropwizard.auth.AuthenticationException;
import io.dropwizard.auth.Authenticator;
import java.util.List;
import java.util.Optional;

/**
 * Who a request's credentials name, for every door into the application: Jersey resources
 * ({@link CredentialsAuthFilter}) and the MCP servlet alike. The first credential present
 * decides:
 *
 * <ol>
 *   <li>{@code X-API-Key: <key>}: an API key;
 *   <li>{@code Authorization: Bearer <credential>}: tried by each authenticator in turn,
 *       login token (JWT) first, then API key; each answers empty for what is not its own;
 *   <li>the {@code loopat_session} cookie: a login token (same-origin web pages), where
 *       the door accepts cookies.
 * </ol>
 *
 * A user is then placed in the workspace it works in, with its role's scopes
 * ({@link Workspaces#resolve}). Refusals raise {@link Unauthorized} with a message that
 * names what was wrong.
 */
public final class Credentials {

  public static final String API_KEY_HEADER = "X-API-Key";
  public static final String SESSION_COOKIE = "loopat_session";

  private final List<Authenticator<String, Caller>> bearer;
  private final Authenticator<String, Caller> keys;
  private final Authenticator<String, Caller> tokens;

  private final Workspaces workspaces;

  public Credentials(LoginTokens tokens, ApiKeys keys, Workspaces workspaces) {
    this.workspaces = workspaces;
    this.tokens = tokens;
    this.keys = keys;
    this.bearer = List.of(tokens, keys);
  }

  /**
   * The caller; each argument is the raw header (or cookie) value, or null when absent.
   *
   * @throws Unauthorized when no credential is present or the first one present is not valid
   */
  public Caller authenticate(String apiKey, String authorization, String sessionCookie) {
    return workspaces.resolve(identify(apiKey, authorization, sessionCookie));
  }

  private Caller identify(String apiKey, String authorization, String sessionCookie) {
    if (apiKey != null && !apiKey.isBlank()) {
      return first(List.of(keys), apiKey.trim())
          .orElseThrow(() -> new Unauthorized("Invalid, revoked or expired API key"));
    }
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && !authorization.substring(7).isBlank()) {
      String credential = authorization.substring(7).trim();
      return first(bearer, credential).orElseThrow(() -> new Unauthorized(
          LoginTokens.looksLikeToken(credential)
              ? "Invalid or expired token"
              : "Invalid, revoked or expired API key"));
    }
    if (sessionCookie != null && !sessionCookie.isBlank()) {
      return first(List.of(tokens), sessionCookie.trim())
          .map(Caller::viaSession)
          .orElseThrow(() -> new Unauthorized("Session expired: log in again"));
    }
    throw new Unauthorized(
        "Missing API key: send it as X-API-Key or Authorization: Bearer (or a login token)");
  }

  private static Optional<Caller> first(List<Authenticator<String, Caller>> chain,
      String credential) {
    for (Authenticator<String, Caller> authenticator : chain) {
      try {
        Optional<Caller> caller = authenticator.authenticate(credential);
        if (caller.isPresent()) {
          return caller;
        }
      } catch (AuthenticationException e) {
        throw new IllegalStateException("authentication failed unexpectedly", e);
      }
    }
    return Optional.empty();
  }
}
