package dev.interlock.server.web;

import dev.interlock.model.BreakdownRow;
import dev.interlock.model.DayRow;
import static dev.interlock.server.web.Html.esc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.service.ReviewService;
import dev.interlock.model.InterruptRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renders the dashboard's pages: inbox, history, analytics, login and the settings shells. */
final class DashboardPages {

  static final List<String[]> URGENCIES = List.of(new String[] {"critical", "Critical"},
      new String[] {"high", "High"}, new String[] {"normal", "Normal"},
      new String[] {"low", "Low"});
  static final List<String[]> AGES = List.of(new String[] {"5m", "Older than 5 minutes"},
      new String[] {"1h", "Older than 1 hour"}, new String[] {"1d", "Older than 1 day"});
  static final List<String[]> STATUSES = List.of(new String[] {"pending", "Pending"},
      new String[] {"approved", "Approved"}, new String[] {"rejected", "Rejected"},
      new String[] {"expired", "Expired"}, new String[] {"cancelled", "Cancelled"});

  private final ObjectMapper json;

  DashboardPages(ObjectMapper json) {
    this.json = json;
  }

  static Duration age(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "5m" -> Duration.ofMinutes(5);
      case "1h" -> Duration.ofHours(1);
      case "1d" -> Duration.ofDays(1);
      default -> null;
    };
  }

  private static String select(String id, String name, String label, String allLabel,
      List<String[]> choices, String selected) {
    StringBuilder b = new StringBuilder();
    b.append("<div class=\"field inline\"><label for=\"").append(id).append("\">").append(label)
        .append("</label><select id=\"").append(id).append("\" name=\"").append(name).append("\">")
        .append("<option value=\"\">").append(esc(allLabel)).append("</option>");
    for (String[] c : choices) {
      b.append("<option value=\"").append(esc(c[0])).append('"')
          .append(c[0].equals(selected) ? " selected" : "").append('>').append(esc(c[1]))
          .append("</option>");
    }
    return b.append("</select></div>").toString();
  }

  String inbox(Html.Nav nav, String csrf, List<InterruptRow> rows, List<String> agents,
      String agent, String urgency, String age) {
    StringBuilder m = new StringBuilder(8192);
    m.append("<div class=\"page-head\"><h1>Inbox</h1><p id=\"inbox-count\" class=\"muted\">")
        .append(count(rows.size())).append("</p></div>\n");
    m.append("<form id=\"filters\" class=\"filters card\" method=\"get\" action=\"/\">")
        .append(select("f-agent", "agent", "Agent", "All agents",
            agents.stream().map(a -> new String[] {a, a}).toList(), agent))
        .append(select("f-urgency", "urgency", "Urgency", "Any urgency", URGENCIES, urgency))
        .append(select("f-age", "age", "Age", "Any age", AGES, age))
        .append("<button type=\"submit\" class=\"btn small ghost\">Apply</button></form>\n");
    m.append("<section class=\"bulk card\" aria-label=\"Decide several at once\">")
        .append("<div class=\"bulk-select\"><input type=\"checkbox\" id=\"select-all\">")
        .append("<label for=\"select-all\">Select all</label>")
        .append("<span id=\"selected-count\" class=\"muted\" aria-live=\"polite\">0 selected</span>")
        .append("</div><div class=\"bulk-do\"><label for=\"bulk-reason\" class=\"visually-hidden\">")
        .append("Reason for the selected requests</label><input id=\"bulk-reason\" type=\"text\" ")
        .append("placeholder=\"Reason (optional, for all selected)\" maxlength=\"10000\">")
        .append("<button type=\"button\" class=\"btn approve\" data-bulk=\"approved\" disabled>")
        .append("Approve selected</button><button type=\"button\" class=\"btn reject\" ")
        .append("data-bulk=\"rejected\" disabled>Reject selected</button></div></section>\n");
    m.append("<p id=\"live\" class=\"visually-hidden\" aria-live=\"polite\"></p>\n");
    m.append("<p id=\"inbox-error\" class=\"error\" role=\"alert\" hidden></p>\n");
    m.append("<ul id=\"inbox\" class=\"inbox\">").append(inboxItems(rows)).append("</ul>\n");
    return Html.document("Inbox", nav, "data-csrf=\"" + esc(csrf) + "\" data-page=\"inbox\"",
        m.toString(), "inbox.js");
  }

  static String count(int n) {
    return n == 0 ? "Nothing is waiting for you." : n == 1 ? "1 request waiting"
        : n + (n >= ReviewService.PAGE ? "+" : "") + " requests waiting";
  }

  /** The list items alone: the inbox page reloads them when something changes. */
  String inboxItems(List<InterruptRow> rows) {
    StringBuilder b = new StringBuilder();
    if (rows.isEmpty()) {
      b.append("<li class=\"empty\">Nothing is waiting for you. New requests appear here as")
          .append(" they arrive.</li>");
    }
    for (InterruptRow row : rows) {
      String id = esc(row.id());
      String action = esc(row.action());
      String kind = ReviewPage.kind(row);
      b.append("<li class=\"item urgency-").append(esc(row.urgency())).append("\" data-id=\"")
          .append(id).append("\">")
          .append("<input type=\"checkbox\" class=\"pick\" value=\"").append(id)
          .append("\" aria-label=\"Select: ").append(action).append("\">")
          .append("<div class=\"item-main\"><a class=\"item-title\" href=\"/review/").append(id)
          .append("\">").append(action).append("</a><div class=\"item-meta\">")
          .append(Html.urgencyBadge(row.urgency())).append(" <span class=\"agent\">")
          .append(esc(row.agentId() == null ? "unknown agent" : row.agentId()))
          .append("</span> <span class=\"muted\">via ").append(esc(Html.sourceName(row.source())))
          .append("</span> <span class=\"muted\">asked ").append(Html.time(row.createdAt(), "ago"))
          .append("</span> <span class=\"muted\">expires ").append(Html.time(row.expiresAt(), "until"))
          .append("</span></div></div><div class=\"item-actions\">");
      if (kind.equals("approval") || kind.equals("confirmation")) {
        b.append("<button type=\"button\" class=\"btn small approve\" data-decide=\"approved\"")
            .append(" aria-label=\"Approve: ").append(action).append("\">Approve</button>");
      } else {
        b.append("<a class=\"btn small\" href=\"/review/").append(id).append("\" aria-label=\"")
            .append("Answer: ").append(action).append("\">Answer</a>");
      }
      b.append("<button type=\"button\" class=\"btn small reject\" data-decide=\"rejected\"")
          .append(" aria-label=\"Reject: ").append(action).append("\">Reject</button>")
          .append("</div></li>");
    }
    return b.toString();
  }

  String history(Html.Nav nav, List<InterruptRow> rows, String q, String status, int page) {
    boolean more = rows.size() > ReviewService.PAGE;
    List<InterruptRow> shown = more ? rows.subList(0, ReviewService.PAGE) : rows;
    StringBuilder m = new StringBuilder(8192);
    m.append("<div class=\"page-head\"><h1>History</h1></div>\n");
    m.append("<form class=\"filters card\" method=\"get\" action=\"/ui/history\" role=\"search\">")
        .append("<div class=\"field inline grow\"><label for=\"q\">Search</label><input id=\"q\"")
        .append(" name=\"q\" type=\"search\" value=\"").append(esc(q))
        .append("\" placeholder=\"Action, agent, user, reason, decider or id\"></div>")
        .append(select("h-status", "status", "Status", "Any status", STATUSES, status))
        .append("<button type=\"submit\" class=\"btn small\">Search</button></form>\n");
    if (shown.isEmpty()) {
      m.append("<p class=\"card\">No requests match.</p>");
    } else {
      m.append("<div class=\"table-wrap\" role=\"region\" aria-label=\"History\" tabindex=\"0\">")
          .append("<table class=\"history\"><thead><tr><th scope=\"col\">Request</th>")
          .append("<th scope=\"col\">Agent</th><th scope=\"col\">Urgency</th>")
          .append("<th scope=\"col\">Status</th><th scope=\"col\">Decided by</th>")
          .append("<th scope=\"col\">Response time</th><th scope=\"col\">Asked</th></tr></thead><tbody>");
      for (InterruptRow r : shown) {
        m.append("<tr><td><a href=\"/review/").append(esc(r.id())).append("\">")
            .append(esc(r.action())).append("</a><div class=\"muted small\">")
            .append(esc(Html.sourceName(r.source()))).append(r.userId() == null ? ""
                : " · for " + esc(r.userId())).append("</div></td><td>")
            .append(esc(r.agentId())).append("</td><td>").append(Html.urgencyBadge(r.urgency()))
            .append("</td><td>").append(Html.statusBadge(r.status())).append("</td><td>")
            .append(esc(r.decidedBy())).append("</td><td>")
            .append(r.decidedAt() == null ? "" : esc(human(Duration.between(r.createdAt(),
                r.decidedAt()))))
            .append("</td><td>").append(Html.time(r.createdAt(), "ago")).append("</td></tr>");
      }
      m.append("</tbody></table></div>\n");
    }
    m.append("<nav class=\"pager\" aria-label=\"Pages\">");
    String base = "/ui/history?q=" + Html.url(q) + "&amp;status=" + Html.url(status) + "&amp;page=";
    if (page > 0) {
      m.append("<a class=\"btn small ghost\" href=\"").append(base).append(page - 1)
          .append("\">Newer</a>");
    }
    if (more) {
      m.append("<a class=\"btn small ghost\" href=\"").append(base).append(page + 1)
          .append("\">Older</a>");
    }
    m.append("</nav>");
    return Html.document("History", nav, null, m.toString());
  }

  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return Math.max(0, d.toMillis()) < 1000 ? d.toMillis() + " ms" : s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    if (s < 86400) {
      return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
    return (s / 86400) + " d " + (s % 86400 / 3600) + " h";
  }

  String analytics(Html.Nav nav, ReviewService.Activity a, int days, Instant now) {
    // Every day of the window, including quiet ones, so the charts have an honest x axis.
    Map<LocalDate, DayRow> byDay = new HashMap<>();
    a.days().forEach(d -> byDay.put(LocalDate.ofInstant(d.day(), ZoneOffset.UTC), d));
    ArrayNode series = json.createArrayNode();
    long created = 0;
    long approved = 0;
    long rejected = 0;
    for (LocalDate d = LocalDate.ofInstant(a.since(), ZoneOffset.UTC);
        !d.isAfter(LocalDate.ofInstant(now, ZoneOffset.UTC)); d = d.plusDays(1)) {
      DayRow r = byDay.get(d);
      ObjectNode n = series.addObject().put("day", d.toString());
      n.put("created", r == null ? 0 : r.created());
      n.put("approved", r == null ? 0 : r.approved());
      n.put("rejected", r == null ? 0 : r.rejected());
      n.put("expired", r == null ? 0 : r.expired());
      n.put("other", r == null ? 0 : r.cancelled() + r.pending());
      putNullable(n, "p50", r == null ? null : r.p50Ms());
      putNullable(n, "p90", r == null ? null : r.p90Ms());
      putNullable(n, "p99", r == null ? null : r.p99Ms());
      if (r != null) {
        created += r.created();
        approved += r.approved();
        rejected += r.rejected();
      }
    }
    ObjectNode data = json.createObjectNode();
    data.set("days", series);
    data.set("agents", breakdown(a.agents()));
    data.set("actions", breakdown(a.actions()));

    StringBuilder m = new StringBuilder(8192);
    m.append("<div class=\"page-head\"><h1>Analytics</h1>")
        .append("<form method=\"get\" action=\"/ui/analytics\" class=\"inline-form\">")
        .append(select("days", "days", "Period", "Last 30 days", List.of(
            new String[] {"7", "Last 7 days"}, new String[] {"90", "Last 90 days"}),
            String.valueOf(days)))
        .append("<button type=\"submit\" class=\"btn small ghost\">Show</button></form></div>\n");
    String rate = approved + rejected == 0 ? "–"
        : Math.round(100.0 * approved / (approved + rejected)) + "%";
    m.append("<div class=\"stats\">")
        .append(stat("Requests", String.valueOf(created)))
        .append(stat("Approval rate", rate))
        .append(stat("Approved", String.valueOf(approved)))
        .append(stat("Rejected", String.valueOf(rejected)))
        .append("</div>\n");
    m.append(chart("volume", "Requests per day", "Bars: requests created each day, by outcome."))
        .append(chart("rate", "Approval rate per day", "Approved out of decided, per day of creation."))
        .append(chart("latency", "Response time per day",
            "Median, 90th and 99th percentile time from request to a person's decision."))
        .append(chart("agents", "By agent", "Requests per agent, with approval rate and median response time."))
        .append(chart("actions", "By action", "The most frequent actions."));
    m.append("<script type=\"application/json\" id=\"analytics-data\">")
        .append(data.toString().replace("<", "\\u003c")).append("</script>\n");
    return Html.document("Analytics", nav, "data-page=\"analytics\"", m.toString(), "analytics.js");
  }

  private static void putNullable(ObjectNode n, String field, Double value) {
    if (value == null) {
      n.putNull(field);
    } else {
      n.put(field, Math.round(value));
    }
  }

  private ArrayNode breakdown(List<BreakdownRow> rows) {
    ArrayNode a = json.createArrayNode();
    for (BreakdownRow r : rows) {
      ObjectNode n = a.addObject().put("label", r.label()).put("total", r.total())
          .put("approved", r.approved()).put("rejected", r.rejected())
          .put("pending", r.pending());
      putNullable(n, "p50", r.p50Ms());
    }
    return a;
  }

  private static String stat(String label, String value) {
    return "<div class=\"stat card\"><div class=\"stat-value\">" + esc(value)
        + "</div><div class=\"stat-label\">" + esc(label) + "</div></div>";
  }

  private static String chart(String id, String title, String description) {
    return "<section class=\"card chart\" aria-labelledby=\"" + id + "-h\"><h2 id=\"" + id
        + "-h\">" + esc(title) + "</h2><p class=\"hint\" id=\"" + id + "-d\">" + esc(description)
        + "</p><div class=\"chart-box\" id=\"chart-" + id + "\" data-chart=\"" + id
        + "\"></div></section>\n";
  }

  String login(String next) {
    String main = "<section class=\"card narrow login\" aria-labelledby=\"login-h\">"
        + "<h1 id=\"login-h\">Log in</h1>"
        + "<p class=\"muted\">Review and decide what your agents ask.</p>"
        + "<form id=\"login\" method=\"post\" action=\"/ui/login\" novalidate data-next=\""
        + esc(next) + "\">"
        + "<div class=\"field\"><label for=\"username\">Username</label>"
        + "<input id=\"username\" name=\"username\" autocomplete=\"username\" required"
        + " autocapitalize=\"off\" spellcheck=\"false\"></div>"
        + "<div class=\"field\"><label for=\"password\">Password</label>"
        + "<input id=\"password\" name=\"password\" type=\"password\" required"
        + " autocomplete=\"current-password\" aria-describedby=\"password-hint\">"
        + "<p id=\"password-hint\" class=\"hint\">At least 8 characters.</p></div>"
        + "<p id=\"login-error\" class=\"error\" role=\"alert\" hidden></p>"
        + "<div class=\"actions\"><button type=\"submit\" class=\"btn approve\">Log in</button>"
        + "<button type=\"button\" id=\"register\" class=\"btn ghost\">Create account</button>"
        + "</div></form></section>";
    return Html.document("Log in", null, "class=\"narrow-page\"", main, "login.js");
  }

  String keys(Html.Nav nav) {
    StringBuilder scopes = new StringBuilder();
    for (String s : dev.interlock.server.auth.Scopes.ALL) {
      boolean checked = !s.equals("admin");
      scopes.append("<label class=\"check\"><input type=\"checkbox\" name=\"scopes\" value=\"")
          .append(s).append('"').append(checked ? " checked" : "").append("> ").append(s)
          .append("</label>");
    }
    String main = "<div class=\"page-head\"><h1>API keys</h1></div>"
        + "<section class=\"card\" aria-labelledby=\"new-key-h\"><h2 id=\"new-key-h\">New key</h2>"
        + "<form id=\"key-form\" class=\"manage-form\" novalidate>"
        + "<div class=\"field\"><label for=\"key-name\">Name</label><input id=\"key-name\""
        + " name=\"name\" required maxlength=\"200\" placeholder=\"payments agent\"></div>"
        + "<fieldset class=\"field\"><legend>Scopes</legend><div class=\"checks\">" + scopes
        + "</div></fieldset>"
        + "<div class=\"field\"><label for=\"key-rate\">Rate limit <span class=\"hint\">(requests"
        + " per minute; empty for none)</span></label><input id=\"key-rate\" name=\"rateLimit\""
        + " type=\"number\" min=\"1\" inputmode=\"numeric\"></div>"
        + "<p class=\"error\" role=\"alert\" hidden></p>"
        + "<div class=\"actions\"><button type=\"submit\" class=\"btn approve\">Create key</button>"
        + "</div></form><div id=\"key-secret\" class=\"secret\" role=\"status\" hidden></div></section>"
        + "<section class=\"card\" aria-labelledby=\"keys-h\"><h2 id=\"keys-h\">Your keys</h2>"
        + "<div id=\"key-list\" class=\"table-wrap\" aria-live=\"polite\">Loading…</div></section>";
    return Html.document("API keys", nav, "data-page=\"keys\"", main, "manage.js");
  }

  String policies(Html.Nav nav) {
    String example = "[\n  {\n    \"match\": { \"action\": \"send_notification\" },\n"
        + "    \"decision\": \"auto_approve\"\n  }\n]";
    String main = "<div class=\"page-head\"><h1>Policies</h1></div>"
        + "<p class=\"muted\">Policies decide requests before a person sees them: lower priority"
        + " first, first matching rule wins, no match goes to a person.</p>"
        + "<section class=\"card\" aria-labelledby=\"new-policy-h\"><h2 id=\"new-policy-h\">New"
        + " policy</h2><form id=\"policy-form\" class=\"manage-form\" novalidate>"
        + "<div class=\"field\"><label for=\"policy-name\">Name</label><input id=\"policy-name\""
        + " name=\"name\" required maxlength=\"200\"></div>"
        + "<div class=\"field\"><label for=\"policy-priority\">Priority</label><input"
        + " id=\"policy-priority\" name=\"priority\" type=\"number\" value=\"100\"></div>"
        + "<div class=\"field\"><label for=\"policy-rules\">Rules <span class=\"hint\">(JSON"
        + " array)</span></label><textarea id=\"policy-rules\" name=\"rules\" rows=\"8\""
        + " spellcheck=\"false\">" + esc(example) + "</textarea></div>"
        + "<label class=\"check\"><input type=\"checkbox\" name=\"enabled\" checked> Enabled</label>"
        + "<p class=\"error\" role=\"alert\" hidden></p>"
        + "<div class=\"actions\"><button type=\"submit\" class=\"btn approve\">Create policy"
        + "</button></div></form></section>"
        + "<section class=\"card\" aria-labelledby=\"policies-h\"><h2 id=\"policies-h\">Your"
        + " policies</h2><div id=\"policy-list\" aria-live=\"polite\">Loading…</div></section>";
    return Html.document("Policies", nav, "data-page=\"policies\"", main, "manage.js");
  }

  String webhooks(Html.Nav nav) {
    StringBuilder events = new StringBuilder();
    for (String e : List.of("request.created", "request.decided", "request.approved",
        "request.denied", "request.expired", "request.confirmed", "*")) {
      events.append("<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"")
          .append(e).append('"').append(e.equals("request.decided") ? " checked" : "")
          .append("> ").append(e.equals("*") ? "every event (*)" : e).append("</label>");
    }
    String main = "<div class=\"page-head\"><h1>Webhooks</h1></div>"
        + "<section class=\"card\" aria-labelledby=\"new-hook-h\"><h2 id=\"new-hook-h\">New"
        + " webhook</h2><form id=\"webhook-form\" class=\"manage-form\" novalidate>"
        + "<div class=\"field\"><label for=\"hook-url\">URL</label><input id=\"hook-url\""
        + " name=\"url\" type=\"url\" required placeholder=\"https://example.com/hooks/interlock\">"
        + "</div><fieldset class=\"field\"><legend>Events</legend><div class=\"checks\">" + events
        + "</div></fieldset><div class=\"field\"><label for=\"hook-secret\">Signing secret <span"
        + " class=\"hint\">(optional; generated if empty)</span></label><input id=\"hook-secret\""
        + " name=\"secret\" autocomplete=\"off\"></div>"
        + "<p class=\"error\" role=\"alert\" hidden></p>"
        + "<div class=\"actions\"><button type=\"submit\" class=\"btn approve\">Add webhook"
        + "</button></div></form><div id=\"hook-secret-out\" class=\"secret\" role=\"status\""
        + " hidden></div></section>"
        + "<section class=\"card\" aria-labelledby=\"hooks-h\"><h2 id=\"hooks-h\">Your"
        + " webhooks</h2><div id=\"webhook-list\" aria-live=\"polite\">Loading…</div></section>";
    return Html.document("Webhooks", nav, "data-page=\"webhooks\"", main, "manage.js");
  }
}
