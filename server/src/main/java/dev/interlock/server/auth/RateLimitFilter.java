package dev.interlock.server.auth;

import dev.interlock.server.errors.RateLimited;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Applies a key's rate limit after authentication (and before scopes are checked, so every
 * authenticated request counts). Every response to a limited key carries
 * {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset}; a refused request gets
 * 429 with {@code Retry-After}. Keys without a limit and users see no such headers.
 */
@Priority(Priorities.AUTHENTICATION + 100)
public final class RateLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {

  static final String DECISION = RateLimitFilter.class.getName() + ".decision";

  private final RateLimiter limiter;

  public RateLimitFilter(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (!(request.getSecurityContext().getUserPrincipal() instanceof Caller caller)
        || !caller.isRateLimited()) {
      return;
    }
    RateLimiter.Decision decision = limiter.acquire("key:" + caller.keyId(), caller.rateLimit());
    request.setProperty(DECISION, decision);
    if (!decision.allowed()) {
      throw new RateLimited();
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!(request.getProperty(DECISION) instanceof RateLimiter.Decision decision)) {
      return;
    }
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.putSingle("X-RateLimit-Limit", Integer.toString(decision.limit()));
    headers.putSingle("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
    headers.putSingle("X-RateLimit-Reset", Long.toString(decision.resetSeconds()));
    if (!decision.allowed()) {
      headers.putSingle("Retry-After", Long.toString(decision.resetSeconds()));
    }
  }
}
