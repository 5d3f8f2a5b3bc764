package dev.interlock.server.web;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.Forbidden;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.util.Set;

/**
 * Refuses state-changing REST calls authenticated by the session cookie when the browser
 * says another site made them. The dashboard's management pages call the REST API with the
 * cookie; SameSite=Lax already keeps it off cross-site POSTs, and this also covers sibling
 * sites (same site, other origin) and older browsers. API keys and bearer tokens are not
 * affected: browsers never attach those on their own.
 */
@Priority(Priorities.AUTHORIZATION)
public final class SessionOriginFilter implements ContainerRequestFilter {

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final WebAccess access;

  public SessionOriginFilter(WebAccess access) {
    this.access = access;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (SAFE.contains(request.getMethod())) {
      return;
    }
    if (request.getSecurityContext().getUserPrincipal() instanceof Caller caller
        && caller.kind() == Caller.Kind.USER_SESSION
        && !access.sameSite(request.getHeaderString("Origin"),
            request.getHeaderString("Sec-Fetch-Site"), request.getUriInfo().getBaseUri())) {
      throw new Forbidden("Cross-site request refused");
    }
  }
}
