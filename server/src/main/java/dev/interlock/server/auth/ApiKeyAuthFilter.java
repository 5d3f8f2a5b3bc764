package dev.interlock.server.auth;

import dev.interlock.server.errors.Unauthorized;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Accepts an API key in {@code X-API-Key} or {@code Authorization: Bearer}. A missing or
 * unknown key raises {@link Unauthorized}, which the error mappers render in the dialect's
 * shape (Dropwizard's default handler would answer in plain text).
 */
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyAuthFilter extends AuthFilter<String, Caller> {

  public static final String HEADER = "X-API-Key";

  public ApiKeyAuthFilter(ApiKeys keys) {
    this.authenticator = keys::authenticate;
    this.realm = "interlock";
    this.prefix = "Bearer";
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String key = request.getHeaderString(HEADER);
    if (key == null) {
      String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = authorization.substring(7).trim();
      }
    }
    if (key == null || key.isBlank()) {
      throw new Unauthorized("Missing API key: send it as X-API-Key or Authorization: Bearer");
    }
    if (!authenticate(request, key, "Bearer")) {
      throw new Unauthorized("Invalid, revoked or expired API key");
    }
  }
}
