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
 * Small helpers for the server-rendered pages: escaping, the page frame, and responses with
 * the headers every page gets. Pages load only our own CSS and JavaScript (no inline
 * scripts, no CDN), which the Content-Security-Policy enforces.
 */
final class Html {

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private Html() {}

  /** Escapes text for element content and quoted attribute values. */
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

  static String urgencyBadge(String stored) {
    String u = stored == null ? "normal" : stored;
    return "<span class=\"badge urgency-" + esc(u) + "\">" + esc(capitalize(u))
        + "<span class=\"visually-hidden\"> urgency</span></span>";
  }

  static String statusBadge(String status) {
    return "<span class=\"badge status-" + esc(status) + "\">" + esc(capitalize(status))
        + "</span>";
  }

  /** A {@code <time>} that common.js turns into "3 min ago" / "in 5 min". */
  static String time(java.time.Instant at, String kind) {
    if (at == null) {
      return "";
    }
    String iso = at.toString();
    return "<time datetime=\"" + iso + "\" data-" + kind + ">" + esc(iso.replace('T', ' ')
        .replaceAll("\\.\\d+", "").replace("Z", " UTC")) + "</time>";
  }

  /** The navigation of the dashboard; null for pages without it (review links, login). */
  record Nav(String current, String username, String logoutCsrf) {}

  static String document(String title, Nav nav, String mainAttributes, String main,
      String... scripts) {
    StringBuilder b = new StringBuilder(4096 + main.length());
    b.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"referrer\" content=\"no-referrer\">\n")
        .append("<title>").append(esc(title)).append(" · Interlock</title>\n")
        .append("<link rel=\"icon\" href=\"data:,\">\n")
        .append("<link rel=\"stylesheet\" href=\"/ui/static/app.css\">\n")
        .append("<script src=\"/ui/static/common.js\" defer></script>\n");
    for (String script : scripts) {
      b.append("<script src=\"/ui/static/").append(script).append("\" defer></script>\n");
    }
    b.append("</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n")
        .append("<header class=\"top\">\n<a class=\"brand\" href=\"/\">")
        .append("<span aria-hidden=\"true\" class=\"logo\">◆</span> Interlock</a>\n");
    if (nav != null) {
      b.append("<nav aria-label=\"Main\"><ul>");
      for (String[] item : new String[][] {
          {"inbox", "/", "Inbox"}, {"history", "/ui/history", "History"},
          {"analytics", "/ui/analytics", "Analytics"}, {"keys", "/ui/keys", "API keys"},
          {"policies", "/ui/policies", "Policies"}, {"webhooks", "/ui/webhooks", "Webhooks"}}) {
        b.append("<li><a href=\"").append(item[1]).append('"');
        if (item[0].equals(nav.current())) {
          b.append(" aria-current=\"page\"");
        }
        b.append('>').append(item[2]).append("</a></li>");
      }
      b.append("</ul></nav>\n<form class=\"logout\" method=\"post\" action=\"/ui/logout\">")
          .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(nav.logoutCsrf()))
          .append("\"><span class=\"who\">").append(esc(nav.username())).append("</span>")
          .append("<button type=\"submit\" class=\"btn small ghost\">Log out</button></form>\n");
    }
    b.append("</header>\n<main id=\"main\" tabindex=\"-1\"")
        .append(mainAttributes == null || mainAttributes.isEmpty() ? "" : " " + mainAttributes)
        .append(">\n").append(main).append("\n</main>\n</body>\n</html>\n");
    return b.toString();
  }

  static Response page(int status, String html) {
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
        .entity(html)
        .build();
  }

  /** A page that refuses, says why, and shows nothing of the interrupt. */
  static Response refusal(int status, String title, String message, boolean offerLogin) {
    String main = "<section class=\"card narrow refusal\">\n<h1>" + esc(title) + "</h1>\n<p>"
        + esc(message) + "</p>\n"
        + (offerLogin ? "<p><a class=\"btn\" href=\"/ui/login\">Log in</a></p>\n" : "")
        + "</section>";
    return page(status, document(title, null, null, main));
  }

  static Response redirect(String location) {
    return Response.seeOther(java.net.URI.create(location))
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .build();
  }
}
