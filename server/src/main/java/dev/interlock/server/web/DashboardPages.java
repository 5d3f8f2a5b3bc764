package dev.interlock.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.BreakdownRow;
import dev.interlock.model.DayRow;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.ReviewService;
import dev.interlock.server.web.Page.Badge;
import dev.interlock.server.web.Page.Moment;
import dev.interlock.server.web.Page.Nav;
import dev.interlock.model.InterruptRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's pages (inbox, history, analytics, login and the settings shells): each a
 * {@link Page} with its template and a model of formatted strings.
 */
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

  /** The model of {@code select.mustache}: a filter with an "all" option first. */
  record Select(String id, String name, String label, String allLabel, List<Choice> choices) {}

  record Choice(String value, String label, boolean selected) {}

  static Select select(String id, String name, String label, String allLabel,
      List<String[]> choices, String selected) {
    return new Select(id, name, label, allLabel, choices.stream()
        .map(c -> new Choice(c[0], c[1], c[0].equals(selected))).toList());
  }

  /**
   * The model of {@code inbox.mustache}; {@code decides}: the user's role may decide, so
   * the page offers bulk decisions (each item says whether it may be decided).
   */
  record Inbox(String csrf, String count, List<Select> filters, InboxItems list,
      boolean decides) {}

  /**
   * The model of {@code inbox-items.mustache}, alone or in the inbox: what asks the person
   * ("Assigned to you") before everything else it may see, each section with its count.
   * Without anything assigned there is one list and no headings.
   */
  record InboxItems(boolean empty, List<Section> sections) {}

  /** One list of the inbox; {@code titled}: shown with its heading and count. */
  record Section(String key, String heading, String count, boolean titled,
      List<InboxItem> items) {}

  /**
   * One pending interrupt in the inbox: {@code decides}, {@code onlyWho} and {@code waiting}
   * are the looking person's {@link Standing}.
   */
  record InboxItem(String id, String action, String urgencyClass, Badge urgency, String agent,
      String source, Moment asked, Moment expires, boolean approvable, Routing routing,
      boolean decides, String onlyWho, String waiting) {

    static InboxItem of(InterruptRow row, Standing standing) {
      String kind = ReviewPage.kind(row);
      return new InboxItem(row.id(), row.action(), row.urgency(), Badge.urgency(row.urgency()),
          row.agentId() == null ? "unknown agent" : row.agentId(), Html.sourceName(row.source()),
          Moment.of(row.createdAt(), "ago"), Moment.of(row.expiresAt(), "until"),
          kind.equals("approval") || kind.equals("confirmation"), Routing.of(row),
          standing.decides(), standing.onlyWho(), standing.waiting());
    }
  }

  Page inbox(Nav nav, String csrf, List<InterruptRow> rows, List<String> agents,
      String agent, String urgency, String age, Standing.Person person) {
    List<Select> filters = List.of(
        select("f-agent", "agent", "Agent", "All agents",
            agents.stream().map(a -> new String[] {a, a}).toList(), agent),
        select("f-urgency", "urgency", "Urgency", "Any urgency", URGENCIES, urgency),
        select("f-age", "age", "Age", "Any age", AGES, age));
    return new Page("inbox.mustache", "Inbox", nav, new Inbox(csrf, count(rows.size()), filters,
        items(rows, person), person.roleDecides()));
  }

  static String count(int n) {
    return n == 0 ? "Nothing is waiting for you." : n == 1 ? "1 request waiting"
        : n + (n >= ReviewService.PAGE ? "+" : "") + " requests waiting";
  }

  /** The list items alone: the inbox page reloads them when something changes. */
  Page inboxItems(List<InterruptRow> rows, Standing.Person person) {
    return Page.fragment("inbox-items.mustache", items(rows, person));
  }

  /** Splits the rows (already ordered, what asks the person first) into the inbox's lists. */
  static InboxItems items(List<InterruptRow> rows, Standing.Person person) {
    List<InboxItem> assigned = new ArrayList<>();
    List<InboxItem> rest = new ArrayList<>();
    for (InterruptRow row : rows) {
      Standing standing = person.of(row);
      (standing.assigned() ? assigned : rest).add(InboxItem.of(row, standing));
    }
    boolean titled = !assigned.isEmpty();
    List<Section> sections = new ArrayList<>();
    if (titled) {
      sections.add(new Section("assigned", "Assigned to you", String.valueOf(assigned.size()),
          true, assigned));
    }
    if (!rest.isEmpty()) {
      sections.add(new Section("everything",
          person.roleDecides() ? "Everything you may decide" : "Everything waiting",
          String.valueOf(rest.size()), titled, rest));
    }
    return new InboxItems(rows.isEmpty(), sections);
  }

  /** The model of {@code history.mustache}; {@code newer} and {@code older} are page numbers. */
  record History(String q, Select statusFilter, boolean hasRows, List<HistoryRow> rows,
      String qParam, String statusParam, Integer newer, Integer older) {}

  record HistoryRow(String id, String action, String source, boolean hasUser, String userId,
      String agent, Badge urgency, Badge statusBadge, String decidedBy, String responseTime,
      Moment asked) {

    static HistoryRow of(InterruptRow r) {
      return new HistoryRow(r.id(), r.action(), Html.sourceName(r.source()), r.userId() != null,
          r.userId(), r.agentId(), Badge.urgency(r.urgency()), Badge.status(r.status()),
          r.decidedBy(), r.decidedAt() == null ? ""
              : human(Duration.between(r.createdAt(), r.decidedAt())),
          Moment.of(r.createdAt(), "ago"));
    }
  }

  Page history(Nav nav, List<InterruptRow> rows, String q, String status, int page) {
    boolean more = rows.size() > ReviewService.PAGE;
    List<InterruptRow> shown = more ? rows.subList(0, ReviewService.PAGE) : rows;
    return new Page("history.mustache", "History", nav, new History(q,
        select("h-status", "status", "Status", "Any status", STATUSES, status), !shown.isEmpty(),
        shown.stream().map(HistoryRow::of).toList(), Html.url(q), Html.url(status),
        page > 0 ? page - 1 : null, more ? page + 1 : null));
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

  /** The model of {@code analytics.mustache}; {@code data} is the charts' JSON. */
  record Analytics(Select period, String requests, String approvalRate, String approved,
      String rejected, String data) {}

  Page analytics(Nav nav, ReviewService.Activity a, int days, Instant now) {
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
    String rate = approved + rejected == 0 ? "–"
        : Math.round(100.0 * approved / (approved + rejected)) + "%";
    Select period = select("days", "days", "Period", "Last 30 days", List.of(
        new String[] {"7", "Last 7 days"}, new String[] {"90", "Last 90 days"}),
        String.valueOf(days));
    // The template writes the JSON unescaped into a script element (see analytics.mustache):
    // with every "<" escaped, nothing in it can end that element.
    return new Page("analytics.mustache", "Analytics", nav, new Analytics(period,
        String.valueOf(created), rate, String.valueOf(approved), String.valueOf(rejected),
        data.toString().replace("<", "\\u003c")));
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

  /** The model of {@code login.mustache}: where to go once logged in. */
  record Login(String next) {}

  Page login(String next) {
    return new Page("login.mustache", "Log in", null, new Login(next));
  }

  /** The model of {@code keys.mustache}: the scopes a new key may have. */
  record Keys(List<Scope> scopes) {}

  record Scope(String name, boolean checked) {}

  Page keys(Nav nav) {
    // Every scope but admin is offered checked.
    return new Page("keys.mustache", "API keys", nav, new Keys(Scopes.ALL.stream()
        .map(s -> new Scope(s, !s.equals("admin"))).toList()));
  }

  /** The policies and webhooks pages show nothing but their frame; their scripts do the rest. */
  private record Empty() {}

  Page policies(Nav nav) {
    return new Page("policies.mustache", "Policies", nav, new Empty());
  }

  Page webhooks(Nav nav) {
    return new Page("webhooks.mustache", "Webhooks", nav, new Empty());
  }
}
