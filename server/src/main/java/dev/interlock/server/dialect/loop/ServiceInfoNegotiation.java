package dev.interlock.server.dialect.loop;

import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * Lets {@code GET /} answer JSON to a client that prefers it, as HTTP clients commonly say
 * it: {@code Accept: application/json, text/plain, *}{@code /*}. By the JAX-RS rules the
 * wildcard there matches the dashboard's {@code text/html} as well as JSON, and the page's
 * higher server quality wins; so a client that names {@code application/json} with a
 * higher quality than any it names for {@code text/html} (or {@code application/xhtml+xml})
 * is taken at its word and asks for JSON alone. A wildcard names neither: {@code *}{@code /*}
 * and no {@code Accept} at all keep the page, and browsers, which name {@code text/html}
 * first, keep it too.
 */
@PreMatching
@Priority(1000)
final class ServiceInfoNegotiation implements ContainerRequestFilter {

  @Override
  public void filter(ContainerRequestContext request) {
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
      return;
    }
    String path = request.getUriInfo().getPath(false);
    if (!path.isEmpty() && !path.equals("/")) {
      return;
    }
    if (prefersJson(request.getHeaderString(HttpHeaders.ACCEPT))) {
      request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
    }
  }

  /** Whether {@code accept} names JSON with a higher quality than it names an HTML page. */
  static boolean prefersJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    double json = 0;
    double html = 0;
    for (String part : accept.split(",")) {
      MediaType type;
      try {
        type = MediaType.valueOf(part.strip());
      } catch (IllegalArgumentException e) {
        return false; // Jersey answers a malformed Accept itself
      }
      if (type.isWildcardType() || type.isWildcardSubtype()) {
        continue;
      }
      double q = quality(type);
      if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
        json = Math.max(json, q);
      } else if (type.isCompatible(MediaType.TEXT_HTML_TYPE)
          || type.isCompatible(MediaType.APPLICATION_XHTML_XML_TYPE)) {
        html = Math.max(html, q);
      }
    }
    return json > 0 && json > html;
  }

  private static double quality(MediaType type) {
    String q = type.getParameters().get("q");
    if (q == null) {
      return 1;
    }
    try {
      double value = Double.parseDouble(q.strip());
      return value >= 0 && value <= 1 ? value : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
