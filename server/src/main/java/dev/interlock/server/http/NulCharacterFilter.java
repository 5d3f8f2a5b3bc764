package dev.interlock.server.http;

import dev.interlock.server.errors.InvalidRequest;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;

/**
 * Refuses a path or query parameter holding the NUL character ({@code %00}) with a 400 in
 * the dialect's shape, before any resource runs. PostgreSQL cannot store or compare NUL
 * in text (the driver fails the statement), so such a value would otherwise surface as a
 * 500 from whichever query first used it. JSON bodies get the same check in
 * {@link JsonBodies}.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class NulCharacterFilter implements ContainerRequestFilter {

  static final String MESSAGE = "The request must not contain the NUL character (%00)";

  @Override
  public void filter(ContainerRequestContext request) {
    UriInfo uri = request.getUriInfo();
    if (uri.getPath(true).indexOf('\0') >= 0 || holdsNul(uri.getQueryParameters(true))) {
      throw new InvalidRequest(MESSAGE);
    }
  }

  private static boolean holdsNul(MultivaluedMap<String, String> parameters) {
    for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
      if (e.getKey().indexOf('\0') >= 0) {
        return true;
      }
      for (String v : e.getValue()) {
        if (v != null && v.indexOf('\0') >= 0) {
          return true;
        }
      }
    }
    return false;
  }
}
