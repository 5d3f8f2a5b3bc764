package dev.interlock.server.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request on the application port an id and echoes it in {@code X-Request-Id}:
 * the client's own when it sent a sensible one (so a client, a proxy and our log can name
 * the same exchange, and a client can check that a response answers the request it sent),
 * else a fresh UUID. The id is in the logging context as {@code requestId} while the
 * request thread serves it. A servlet filter rather than a Jersey one, so that the MCP
 * endpoint and every early refusal carry it too.
 */
public final class RequestIds implements Filter {

  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "requestId";

  /** Ids a client may choose: printable, no spaces or separators a log could be confused by. */
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String id = idOf(((HttpServletRequest) request).getHeader(HEADER));
    ((HttpServletResponse) response).setHeader(HEADER, id);
    request.setAttribute(MDC_KEY, id);
    MDC.put(MDC_KEY, id);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(MDC_KEY);
    }
  }

  /** The client's id when acceptable, else a new one. */
  static String idOf(String sent) {
    if (sent != null && ACCEPTED.matcher(sent).matches()) {
      return sent;
    }
    return UUID.randomUUID().toString();
  }
}
