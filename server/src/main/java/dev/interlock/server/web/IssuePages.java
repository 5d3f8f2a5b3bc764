package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.CommentRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.LabelRow;
import dev.interlock.model.engine.ScoredIssue;
import dev.interlock.server.service.engine.DashboardService;
import dev.interlock.server.service.engine.DispatchService;
import dev.interlock.server.service.engine.IssueService;
import dev.interlock.server.web.Page.Nav;
import java.util.List;
import java.util.Map;

/**
 * Loop's issues in the dashboard, read-only: the workspace's issues with the engine's stats
 * ({@code issues.mustache}) and one issue with its parent, children, relations, labels,
 * threaded comments and the signal it came from ({@code issue.mustache}); the dispatch queue
 * in the order dispatch hands it out, the claims held now and the issues waiting for a
 * person's approval ({@code queue.mustache}). The models are formatted strings; the
 * templates escape every one.
 */
final class IssuePages {

  /** How many issues a page of the list shows, newest first. */
  static final int LIST_LIMIT = 50;

  private final ObjectMapper json;

  IssuePages(ObjectMapper json) {
    this.json = json;
  }

  // ---- the list ------------------------------------------------------------------------

  /** A row of the list: the issue with its project's name and its labels' names. */
  record Listed(IssueRow issue, String project, List<LabelRow> labels) {}

  record Issues(String workspace, Stats stats, DashboardPages.Select statusFilter,
      DashboardPages.Select typeFilter, boolean empty, List<IssueItem> issues, String total,
      String shown, String newer, String older, String statusParam, String typeParam) {}

  record Stats(String issues, List<Count> byStatus, List<Count> byType, String queueDepth,
      String activeDispatches, String completedLast24h, String activeGoals) {}

  record Count(String key, String label, String count) {}

  record IssueItem(String id, String number, String title, String type, Page.Badge status,
      String priority, String project, List<Label> labels) {}

  record Label(String name, String color) {}

  Page list(Nav nav, DashboardService.Stats stats, DashboardPages.Select statusFilter,
      DashboardPages.Select typeFilter, List<Listed> rows, long total, int page,
      String status, String type) {
    List<IssueItem> items = rows.stream().map(r -> new IssueItem(r.issue().id(),
        "#" + r.issue().number(), r.issue().title(), label(r.issue().type()),
        status(r.issue().status()), priority(r.issue().priority()), r.project(),
        labels(r.labels()))).toList();
    int first = (page - 1) * LIST_LIMIT;
    String shown = items.isEmpty() ? "0" : (first + 1) + "–" + (first + items.size());
    boolean more = first + items.size() < total;
    return new Page("issues.mustache", "Issues", nav, new Issues(nav.workspace().name(),
        stats(stats), statusFilter, typeFilter, items.isEmpty(), items, String.valueOf(total),
        shown, page > 1 ? String.valueOf(page - 1) : null,
        more ? String.valueOf(page + 1) : null, status == null ? "" : status,
        type == null ? "" : type));
  }

  static Stats stats(DashboardService.Stats s) {
    return new Stats(String.valueOf(s.issues()), counts(s.byStatus()), counts(s.byType()),
        String.valueOf(s.dispatch().queueDepth()), String.valueOf(s.dispatch().activeCount()),
        String.valueOf(s.dispatch().completedLast24h()), String.valueOf(s.activeGoals()));
  }

  private static List<Count> counts(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> new Count(e.getKey(), label(e.getKey()), String.valueOf(e.getValue())))
        .toList();
  }

  // ---- the dispatch queue --------------------------------------------------------------

  /** How many of the held claims and of the issues waiting for approval the page shows. */
  static final int SECTION_LIMIT = 100;

  /** A queued issue as dispatch scored it, with its project's name. */
  record Scored(ScoredIssue scored, String project) {}

  record Queue(String workspace, DashboardPages.Select projectFilter, boolean empty,
      List<Queued> queued, String total, String shown, String newer, String older,
      String projectParam, boolean noClaims, List<Claim> claims, String claimsMore,
      boolean noneWaiting, List<Waiting> waiting, String waitingMore) {}

  /** One issue of the queue: its place in it, and its score with the score's four parts. */
  record Queued(String position, String id, String number, String title, String type,
      String priority, String project, String score, String priorityWeight, String goalBonus,
      String ageBonus, String typeBonus) {}

  record Claim(String dispatchId, String issueId, String number, String title,
      String claimedBy, Page.Moment claimedAt, Page.Moment leaseUntil, Page.Moment heartbeat) {}

  record Waiting(String id, String number, String title, String type, String priority,
      String project, Page.Moment created, String interruptId) {}

  Page queue(Nav nav, DashboardPages.Select projectFilter, List<Scored> rows, long total,
      int page, String projectId, List<DispatchService.HeldClaim> held, long heldTotal, List<Listed> waiting,
      long waitingTotal) {
    int first = (page - 1) * LIST_LIMIT;
    List<Queued> queued = new java.util.ArrayList<>();
    for (int n = 0; n < rows.size(); n++) {
      ScoredIssue s = rows.get(n).scored();
      IssueRow i = s.issue();
      queued.add(new Queued(String.valueOf(first + n + 1), i.id(), "#" + i.number(), i.title(),
          label(i.type()), priority(i.priority()), rows.get(n).project(),
          String.valueOf(s.score()), String.valueOf(s.priorityWeight()),
          String.valueOf(s.goalBonus()), String.valueOf(s.ageBonus()),
          String.valueOf(s.typeBonus())));
    }
    String shown = queued.isEmpty() ? "0" : (first + 1) + "–" + (first + queued.size());
    boolean more = first + queued.size() < total;
    List<Claim> claims = held.stream().map(h -> new Claim(h.dispatch().id(), h.issue().id(),
        "#" + h.issue().number(), h.issue().title(), h.dispatch().claimedBy(),
        Page.Moment.of(h.dispatch().claimedAt(), "ago"),
        Page.Moment.of(h.dispatch().leaseUntil(), "until"),
        Page.Moment.of(h.dispatch().heartbeatAt(), "ago"))).toList();
    List<Waiting> waits = waiting.stream().map(w -> new Waiting(w.issue().id(),
        "#" + w.issue().number(), w.issue().title(), label(w.issue().type()),
        priority(w.issue().priority()), w.project(), Page.Moment.of(w.issue().createdAt(),
        "ago"), w.issue().approvalInterruptId())).toList();
    String param = projectId == null ? "" : Html.url(projectId);
    return new Page("queue.mustache", "Dispatch queue", nav, new Queue(nav.workspace().name(),
        projectFilter, queued.isEmpty(), queued, String.valueOf(total), shown,
        page > 1 ? String.valueOf(page - 1) : null, more ? String.valueOf(page + 1) : null,
        param, claims.isEmpty(), claims, beyond(heldTotal, claims.size()), waits.isEmpty(),
        waits, beyond(waitingTotal, waits.size())));
  }

  /** "and 12 more" when a section shows fewer than there are; null when it shows all. */
  private static String beyond(long total, int shown) {
    return total > shown ? "and " + (total - shown) + " more" : null;
  }

  // ---- one issue -----------------------------------------------------------------------

  /** An issue another one points at (its parent, a child, the other side of a relation). */
  record Ref(String id, String number, String title, Page.Badge status) {}

  record Relation(String type, String label, Ref issue) {}

  record Comment(String id, String author, String authorType, Page.Moment at, String body,
      List<Comment> replies) {

    boolean hasReplies() {
      return !replies.isEmpty();
    }
  }

  record IssueView(String id, String number, String title, String type, Page.Badge status,
      String priority, String project, String description, boolean requiresApproval,
      Page.Moment created, Page.Moment updated, Page.Moment completed, List<Label> labels,
      Ref parent, List<Ref> children, List<Relation> relations, List<Comment> comments,
      String signalSource, String signalPayload, String hypothesis, String agentSummary) {}

  Page issue(Nav nav, IssueService.IssueDetail d, String project, List<Relation> relations,
      List<IssueService.CommentThread> threads) {
    IssueRow i = d.issue();
    List<Comment> comments = threads.stream().map(t -> comment(t.comment(),
        t.replies().stream().map(r -> comment(r, List.of())).toList())).toList();
    boolean fromSignal = i.signalSource() != null || present(i.signalPayload());
    return new Page("issue.mustache", i.title(), nav,
        new IssueView(i.id(), "#" + i.number(), i.title(), label(i.type()), status(i.status()),
            priority(i.priority()), project, blank(i.description()), i.requiresApproval(),
            Page.Moment.of(i.createdAt(), "ago"), Page.Moment.of(i.updatedAt(), "ago"),
            Page.Moment.of(i.completedAt(), "ago"), labels(d.labels()),
            d.parent() == null ? null : ref(d.parent()),
            d.children().stream().map(IssuePages::ref).toList(), relations, comments,
            fromSignal ? (i.signalSource() == null ? "signal" : i.signalSource()) : null,
            present(i.signalPayload()) ? Html.pretty(json, i.signalPayload()) : null,
            present(i.hypothesis()) ? Html.pretty(json, i.hypothesis()) : null,
            blank(i.agentSummary())));
  }

  static Ref ref(IssueRow i) {
    return new Ref(i.id(), "#" + i.number(), i.title(), status(i.status()));
  }

  static String relationLabel(String type) {
    return switch (type) {
      case "blocks" -> "Blocks";
      case "blocked_by" -> "Blocked by";
      case "related" -> "Related to";
      case "duplicate" -> "Duplicate of";
      default -> label(type);
    };
  }

  private static Comment comment(CommentRow c, List<Comment> replies) {
    return new Comment(c.id(), c.authorName(), c.authorType(), Page.Moment.of(c.createdAt(),
        "ago"), c.body(), replies);
  }

  // ---- formatting ----------------------------------------------------------------------

  static Page.Badge status(String status) {
    return new Page.Badge(status, label(status));
  }

  /** {@code in_progress} as "In progress". */
  static String label(String value) {
    return value == null ? "" : Html.capitalize(value.replace('_', ' '));
  }

  static String priority(int p) {
    return switch (p) {
      case 1 -> "Urgent";
      case 2 -> "High";
      case 3 -> "Medium";
      case 4 -> "Low";
      default -> "None";
    };
  }

  private static List<Label> labels(List<LabelRow> labels) {
    return labels.stream().map(l -> new Label(l.name(), l.color())).toList();
  }

  private static boolean present(JsonNode node) {
    return node != null && !node.isNull() && !node.isMissingNode();
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
