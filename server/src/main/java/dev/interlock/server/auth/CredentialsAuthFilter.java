package dev.interlock.server.auth;

import dev.interlock.server.errors.Unauthorized;
import io.dropwizard.auth.AuthenticationException;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.Authorizer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates every {@code @Auth} resource method, for every dialect, with the first
 * credential present:
 *
 * <ol>
 *   <li>{@code X-API-Key: <key>}: an API key;
 *   <li>{@code Authorization: Bearer <credential>}: tried by each authenticator in turn,
 *       login token (JWT) first, then API key; each answers empty for what is not its own;
 *   <li>the {@code loopat_session} cookie: a login token (same-origin web pages).
 * </ol>
 *
 * It does what Dropwizard's {@code ChainedAuthFilter} of several {@code AuthFilter}s would,
 * in one place, so that a refusal names what was wrong; refusals raise {@link Unauthorized},
 * which the error mappers render in the dialect's shape. Scopes are checked later by
 * {@code @RolesAllowed} through the {@link Authorizer}.
 */
@Priority(Priorities.AUTHENTICATION)
public final class CredentialsAuthFilter implements ContainerRequestFilter {

  public static final String API_KEY_HEADER = "X-API-Key";
  public static final String SESSION_COOKIE = "loopat_session";

  private final List<Authenticator<String, Caller>> bearer;
  private final Authenticator<String, Caller> keys;
  private final Authenticator<String, Caller> tokens;
  private final Authorizer<Caller> authorizer;
  private final KeyUsage usage;

  public CredentialsAuthFilter(LoginTokens tokens, ApiKeys keys, Authorizer<Caller> authorizer,
      KeyUsage usage) {
    this.tokens = tokens;
    this.keys = keys;
    this.bearer = List.of(tokens, keys);
    this.authorizer = authorizer;
    this.usage = usage;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Caller caller = authenticate(request);
    if (caller.kind() == Caller.Kind.API_KEY) {
      usage.record(caller.keyId());
    }
    SecurityContext original = request.getSecurityContext();
    boolean secure = original != null && original.isSecure();
    request.setSecurityContext(new SecurityContext() {
      @Override
      public Principal getUserPrincipal() {
        return caller;
      }

      @Override
      public boolean isUserInRole(String role) {
        return authorizer.authorize(caller, role, request);
      }

      @Override
      public boolean isSecure() {
        return secure;
      }

      @Override
      public String getAuthenticationScheme() {
        return caller.kind() == Caller.Kind.USER_SESSION ? "Cookie" : "Bearer";
      }
    });
  }

  private Caller authenticate(ContainerRequestContext request) {
    String apiKey = request.getHeaderString(API_KEY_HEADER);
    if (apiKey != null && !apiKey.isBlank()) {
      return first(List.of(keys), apiKey.trim())
          .orElseThrow(() -> new Unauthorized("Invalid, revoked or expired API key"));
    }
    String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && !authorization.substring(7).isBlank()) {
      String credential = authorization.substring(7).trim();
      return first(bearer, credential).orElseThrow(() -> new Unauthorized(
          LoginTokens.looksLikeToken(credential)
              ? "Invalid or expired token"
              : "Invalid, revoked or expired API key"));
    }
    Cookie session = request.getCookies().get(SESSION_COOKIE);
    if (session != null && session.getValue() != null && !session.getValue().isBlank()) {
      return first(List.of(tokens), session.getValue().trim())
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
