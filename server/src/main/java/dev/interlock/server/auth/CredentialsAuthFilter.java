package dev.interlock.server.auth;

import dev.interlock.server.errors.Unauthorized;
import io.dropwizard.auth.Authorizer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * Authenticates every {@code @Auth} resource method, for every dialect, with the first
 * credential present ({@link Credentials} says which and in what order). It does what
 * Dropwizard's {@code ChainedAuthFilter} of several {@code AuthFilter}s would, in one
 * place, so that a refusal names what was wrong; refusals raise {@link Unauthorized},
 * which the error mappers render in the dialect's shape. Scopes are checked later by
 * {@code @RolesAllowed} through the {@link Authorizer}.
 */
@Priority(Priorities.AUTHENTICATION)
public final class CredentialsAuthFilter implements ContainerRequestFilter {

  public static final String API_KEY_HEADER = Credentials.API_KEY_HEADER;
  public static final String SESSION_COOKIE = Credentials.SESSION_COOKIE;

  private final Credentials credentials;
  private final Authorizer<Caller> authorizer;
  private final KeyUsage usage;

  public CredentialsAuthFilter(Credentials credentials, Authorizer<Caller> authorizer,
      KeyUsage usage) {
    this.credentials = credentials;
    this.authorizer = authorizer;
    this.usage = usage;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Cookie session = request.getCookies().get(SESSION_COOKIE);
    Caller caller = credentials.authenticate(request.getHeaderString(API_KEY_HEADER),
        request.getHeaderString(HttpHeaders.AUTHORIZATION),
        session == null ? null : session.getValue());
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
}
