package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Credentials;
import dev.interlock.server.auth.KeyUsage;
import dev.interlock.server.auth.RateLimiter;
import dev.interlock.server.errors.ClientGone;
import dev.interlock.server.errors.Unauthorized;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every HTTP request to {@code /mcp} as the REST resources do (Jersey's
 * filters do not cover servlets): {@code X-API-Key} or {@code Authorization: Bearer} with an
 * API key or a login token; 401 with a JSON body and {@code WWW-Authenticate} otherwise. Login
 * cookies are not accepted here, so a web page cannot make a browser call tools. The
 * key's rate limit counts these requests like any other. The caller is handed to the MCP
 * transport as a request attribute; tools act as its owner, with its scopes.
 *
 * <p>An MCP session belongs to the owner whose request created it: a request naming
 * another owner's {@code Mcp-Session-Id} is answered as if the session did not exist.
 */
final class McpAuthFilter implements Filter {

  static final String CALLER = McpAuthFilter.class.getName() + ".caller";
  static final String SESSION_HEADER = "Mcp-Session-Id";

  private static final Logger log = LoggerFactory.getLogger(McpAuthFilter.class);

  private final Credentials credentials;
  private final KeyUsage usage;
  private final RateLimiter limiter;
  private final ObjectMapper json;
  private final int maxBodyBytes;
  /** Session id to owner id; sessions idle this long are gone from the transport too. */
  private final Cache<String, String> sessionOwners = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofHours(24)).maximumSize(100_000).build();

  McpAuthFilter(Credentials credentials, KeyUsage usage, RateLimiter limiter, ObjectMapper json,
      int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    this.credentials = credentials;
    this.usage = usage;
    this.limiter = limiter;
    this.json = json;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    Caller caller;
    try {
      caller = credentials.authenticate(request.getHeader(Credentials.API_KEY_HEADER),
          request.getHeader("Authorization"), null);
    } catch (Unauthorized e) {
      log.warn("401 {}: {}", request.getRequestURI(), e.getMessage());
      response.setHeader("WWW-Authenticate", "Bearer realm=\"interlock\"");
      refuse(request, response, 401, e.getMessage());
      return;
    }
    if (caller.kind() == Caller.Kind.API_KEY) {
      usage.record(caller.keyId());
    }
    if (caller.isRateLimited()) {
      RateLimiter.Decision decision = limiter.acquire("key:" + caller.keyId(), caller.rateLimit());
      response.setHeader("X-RateLimit-Limit", Integer.toString(decision.limit()));
      response.setHeader("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
      response.setHeader("X-RateLimit-Reset", Long.toString(decision.resetSeconds()));
      if (!decision.allowed()) {
        response.setHeader("Retry-After", Long.toString(decision.resetSeconds()));
        refuse(request, response, 429, "Rate limit exceeded");
        return;
      }
    }
    String sessionId = request.getHeader(SESSION_HEADER);
    if (sessionId != null) {
      String owner = sessionOwners.getIfPresent(sessionId);
      if (owner != null && !owner.equals(caller.ownerId())) {
        log.warn("404 {}: session of another owner", request.getRequestURI());
        refuse(request, response, 404, "Session not found");
        return;
      }
    }
    request.setAttribute(CALLER, caller);
    HttpServletRequest forward = request;
    if ("POST".equals(request.getMethod())) {
      // The body is read here, whole, so a client that hangs up halfway is heard as that
      // (DEBUG) instead of reaching the MCP transport, which logs it as an ERROR.
      byte[] body;
      try {
        body = request.getInputStream().readNBytes(maxBodyBytes + 1);
      } catch (IOException e) {
        if (ClientGone.is(e)) {
          log.debug("client went away while sending {}: {}", request.getRequestURI(), e.toString());
          return;
        }
        throw e;
      }
      if (body.length > maxBodyBytes) {
        refuse(request, response, 413, "Request body larger than " + maxBodyBytes + " bytes");
        return;
      }
      forward = new ReplayedBody(request, body);
    }
    chain.doFilter(forward, new HttpServletResponseWrapper(response) {
      @Override
      public void setHeader(String name, String value) {
        remember(name, value);
        super.setHeader(name, value);
      }

      @Override
      public void addHeader(String name, String value) {
        remember(name, value);
        super.addHeader(name, value);
      }

      private void remember(String name, String value) {
        if (SESSION_HEADER.equalsIgnoreCase(name) && value != null) {
          sessionOwners.put(value, caller.ownerId());
        }
      }
    });
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, int status,
      String message) throws IOException {
    // The body is not read: tell the client the connection ends here (see UnreadBodyFilter).
    if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
      response.setHeader("Connection", "close");
    }
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(json.writeValueAsString(json.createObjectNode().put("error", message)));
  }
}
