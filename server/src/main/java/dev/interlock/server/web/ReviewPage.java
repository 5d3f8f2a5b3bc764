package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.web.Page.Badge;
import dev.interlock.server.web.Page.Moment;
import dev.interlock.server.wire.Quorum;
import java.util.ArrayList;
import java.util.List;

/**
 * The review page of one interrupt ({@code review.mustache}), and the state its live updates
 * carry.
 */
final class ReviewPage {

  private final ObjectMapper json;

  ReviewPage(ObjectMapper json) {
    this.json = json;
  }

  /**
   * What the page needs to know about who is looking: a member of the workspace
   * ({@code owner}) or a link holder, whether its role (or link) decides, and where this
   * interrupt stands for it (routed to others, approved already).
   */
  record Viewer(boolean owner, boolean decides, Standing standing, String token, String csrf,
      String shareUrl, Page.Nav nav) {

    /** Whether it may decide this interrupt: its role or link does, and the routing lets it. */
    boolean decidesThis() {
      return decides && standing.decides();
    }
  }

  /** The outcome as the page's script and its event stream see it. */
  ObjectNode state(InterruptRow row) {
    ObjectNode n = json.createObjectNode();
    n.put("id", row.id());
    n.put("status", row.status());
    n.put("pending", row.isPending());
    n.put("decision", row.decision());
    n.put("reason", row.reason());
    n.put("decidedBy", row.decidedBy());
    n.put("decidedAt", IsoTimes.format(row.decidedAt()));
    n.put("response", row.response());
    n.set("modifiedParams", row.modifiedParams());
    // The quorum: how many approvals settle it and who approved so far, so the page can
    // show a recorded approval that did not settle it (pending stays true).
    n.put("requiredApprovals", row.requiredApprovals());
    n.put("quorum", row.requiredApprovals() > 1 ? Quorum.summary(row) : null);
    ArrayNode approvals = n.putArray("approvals");
    row.approvals().forEach(a -> approvals.addObject().put("by", a.approver())
        .put("at", IsoTimes.format(a.at())));
    return n;
  }

  /** The JSON a reviewer edits before approving: the params, else the context. */
  static JsonNode editable(InterruptRow row) {
    if (row.params() != null && !row.params().isNull()) {
      return row.params();
    }
    return row.context();
  }

  static String kind(InterruptRow row) {
    String type = row.requestType();
    if (type == null) {
      return "approval";
    }
    return switch (type) {
      case "choice" -> row.options() != null && row.options().size() > 0 ? "choice" : "input";
      case "input" -> "input";
      default -> "confirmation";
    };
  }

  /** The model of {@code review.mustache}. */
  record Review(String id, String status, boolean pending, String tokenQuery, String source,
      String question, String action, Badge urgency, Badge statusBadge, String agent,
      boolean hasUser, String userId, Moment asked, String expiresAt, Moment expires,
      String context, String params, boolean showOptions, List<String> options,
      Outcome outcome, String token, String csrf, String error, Editor editor, boolean choice,
      boolean input, String reasonValue, String approveLabel, boolean owner, String shareUrl,
      List<AuditEntry> audit, boolean decides, boolean readOnly, String readOnlyNote,
      Routing routing, boolean hasQuorum, String quorumSummary, List<ApprovalEntry> approvals,
      String waiting) {}

  /** One approval towards the quorum: who and when. */
  record ApprovalEntry(String by, Moment at) {}

  /** The JSON a reviewer may edit before approving. */
  record Editor(int rows, String original, String text) {}

  /** The outcome in words; review.js renders the same from {@link #state}. */
  record Outcome(String headline, boolean byline, boolean hasDecidedBy, String decidedBy,
      Moment decidedAt, boolean hasResponse, String response, boolean hasReason, String reason,
      String modifiedParams) {}

  record AuditEntry(String event, String actor, Moment at, String details) {}

  Page render(InterruptRow row, Viewer viewer, List<InterruptEventRow> events, String error,
      String reasonValue, String paramsValue) {
    String kind = kind(row);
    boolean pending = row.isPending();
    boolean decides = pending && viewer.decidesThis();
    // Someone who approved already may still reject, but not approve (or answer) again.
    String waiting = decides ? viewer.standing().waiting() : null;
    boolean approving = decides && waiting == null;
    boolean editing = approving && kind.equals("approval");
    Editor editor = null;
    if (editing) {
      JsonNode editable = editable(row);
      String original = Html.pretty(json, editable == null ? json.createObjectNode() : editable);
      editor = new Editor(Math.min(16, Math.max(4, original.split("\n").length + 1)), original,
          paramsValue != null ? paramsValue : original);
    }
    JsonNode context = row.context();
    boolean hasOptions = row.options() != null && row.options().size() > 0;
    List<String> options = new ArrayList<>();
    if (hasOptions) {
      row.options().forEach(o -> options.add(o.asText()));
    }
    String source = Html.sourceName(row.source());
    Review review = new Review(row.id(), row.status(), pending,
        viewer.token() == null ? "" : "?token=" + Html.url(viewer.token()), source,
        switch (kind) {
          case "choice" -> "Question: pick an answer";
          case "input" -> "Question: answer in your own words";
          case "confirmation" -> "Confirmation";
          default -> "Approval request";
        },
        row.action(), Badge.urgency(row.urgency()), Badge.status(row.status()),
        row.agentId() == null ? "unknown agent" : row.agentId(), row.userId() != null,
        row.userId(), Moment.of(row.createdAt(), "ago"), String.valueOf(row.expiresAt()),
        Moment.of(row.expiresAt(), "until"),
        context != null && !context.isNull() && context.size() > 0
            ? Html.pretty(json, context) : null,
        row.params() != null && !row.params().isNull() && !editing
            ? Html.pretty(json, row.params()) : null,
        hasOptions && !(approving && kind.equals("choice")), options,
        pending ? null : outcome(row), viewer.token(),
        viewer.csrf(), error, editor, approving && kind.equals("choice"),
        approving && kind.equals("input"), reasonValue,
        !approving ? null : switch (kind) {
          case "approval", "confirmation" -> "Approve";
          case "input" -> "Send answer";
          default -> null;
        },
        viewer.owner(), viewer.shareUrl(), viewer.owner() ? audit(events) : List.of(),
        decides, pending && !decides, !viewer.decides()
            ? "As a viewer in this workspace you see this request, but do not decide it."
            : viewer.standing().onlyWho(),
        Routing.of(row), row.requiredApprovals() > 1, Quorum.summary(row),
        row.approvals().stream().map(a -> new ApprovalEntry(a.approver(),
            Moment.of(a.at(), "ago"))).toList(), waiting);
    return new Page("review.mustache",
        (pending ? "Review: " : "Decided: ") + row.action(), viewer.nav(), review);
  }

  private Outcome outcome(InterruptRow row) {
    String headline = switch (row.status()) {
      case "approved" -> "Approved";
      case "rejected" -> "Rejected";
      case "expired" -> "Expired: nobody decided in time";
      case "cancelled" -> "Cancelled by the agent";
      default -> Html.capitalize(row.status());
    };
    JsonNode modified = row.modifiedParams();
    return new Outcome(headline, row.decidedBy() != null || row.decidedAt() != null,
        row.decidedBy() != null, row.decidedBy(), Moment.of(row.decidedAt(), "ago"),
        row.response() != null, row.response(), row.reason() != null, row.reason(),
        modified != null && !modified.isNull() ? Html.pretty(json, modified) : null);
  }

  private List<AuditEntry> audit(List<InterruptEventRow> events) {
    return events.stream().map(e -> new AuditEntry(e.event(), e.actor(), Moment.of(e.at(), "ago"),
        e.details() != null && e.details().size() > 0 ? Html.pretty(json, e.details()) : null))
        .toList();
  }
}
