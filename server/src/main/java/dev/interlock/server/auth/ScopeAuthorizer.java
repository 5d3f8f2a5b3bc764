package dev.interlock.server.auth;

import dev.interlock.server.errors.Forbidden;
import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * Decides {@code @RolesAllowed("<scope>")} for {@link io.dropwizard.auth.Auth}-enabled
 * resources: the caller needs the scope (or {@code admin}, which users always have). A
 * refused scope is noted on the request so the 403 can name it.
 */
public final class ScopeAuthorizer implements Authorizer<Caller> {

  @Override
  public boolean authorize(Caller caller, String scope, ContainerRequestContext request) {
    if (caller.hasScope(scope)) {
      return true;
    }
    if (request != null) {
      request.setProperty(Forbidden.MISSING_SCOPE, scope);
    }
    return false;
  }
}
