package dev.interlock.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Small helpers for the server-rendered pages: the escaping their templates use, formatting
 * of what they show, and responses with the headers every page gets. Pages load only our own
 * CSS and JavaScript (no inline scripts, no CDN), which the Content-Security-Policy enforces.
 */
final class Html {

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private Html() {}

  /** Escapes text for element content and quoted attribute values; see {@link PageRenderer}. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  static String pretty(ObjectMapper json, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "";
    }
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      return node.toString();
    }
  }

  static String capitalize(String s) {
    if (s == null || s.isEmpty()) {
      return "";
    }
    return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }

  /** Dialect names as their products spell them. */
  static String sourceName(String source) {
    if (source == null) {
      return "API";
    }
    return switch (source) {
      case "loopin" -> "LoopIn";
      case "agentgate" -> "AgentGate";
      case "loopgate" -> "Loopgate";
      case "mcp" -> "MCP";
      default -> source;
    };
  }

  static Response page(int status, Page page) {
    CacheControl noStore = new CacheControl();
    noStore.setNoStore(true);
    noStore.setNoCache(true);
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
        .cacheControl(noStore)
        .header("Content-Security-Policy", CSP)
        .header("Referrer-Policy", "no-referrer")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .entity(page)
        .build();
  }

  /** The model of {@code refusal.mustache}: a page that refuses and says why. */
  record Refusal(String title, String message, boolean offerLogin) {}

  /** A page that refuses, says why, and shows nothing of the interrupt. */
  static Response refusal(int status, String title, String message, boolean offerLogin) {
    return page(status, new Page("refusal.mustache", title, null,
        new Refusal(title, message, offerLogin)));
  }

  static Response redirect(String location) {
    return Response.seeOther(java.net.URI.create(location))
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .build();
  }
}
