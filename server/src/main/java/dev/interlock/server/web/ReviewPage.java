package dev.interlock.server.web;

import static dev.interlock.server.web.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import java.util.List;

/** Renders the review page of one interrupt, and the state its live updates carry. */
final class ReviewPage {

  private final ObjectMapper json;

  ReviewPage(ObjectMapper json) {
    this.json = json;
  }

  /** What the page needs to know about who is looking. */
  record Viewer(boolean owner, String token, String csrf, String shareUrl, Html.Nav nav) {}

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

  String render(InterruptRow row, Viewer viewer, List<InterruptEventRow> events, String error,
      String reasonValue, String paramsValue) {
    String kind = kind(row);
    StringBuilder m = new StringBuilder(8192);
    String tokenQuery = viewer.token() == null ? "" : "?token=" + Html.url(viewer.token());

    m.append("<article class=\"review card\" aria-labelledby=\"title\">\n");
    m.append("<p class=\"eyebrow\">").append(esc(Html.sourceName(row.source()))).append(" · ")
        .append(esc(switch (kind) {
          case "choice" -> "Question: pick an answer";
          case "input" -> "Question: answer in your own words";
          case "confirmation" -> "Confirmation";
          default -> "Approval request";
        })).append("</p>\n");
    m.append("<h1 id=\"title\">").append(esc(row.action())).append("</h1>\n");
    m.append("<div class=\"meta\">").append(Html.urgencyBadge(row.urgency()))
        .append(" <span id=\"status-badge\">").append(Html.statusBadge(row.status()))
        .append("</span></div>\n");
    m.append("<dl class=\"facts\">\n");
    m.append("<div><dt>Asked by</dt><dd>").append(esc(row.agentId() == null ? "unknown agent"
        : row.agentId())).append(" <span class=\"muted\">via ")
        .append(esc(Html.sourceName(row.source()))).append("</span></dd></div>\n");
    if (row.userId() != null) {
      m.append("<div><dt>For</dt><dd>").append(esc(row.userId())).append("</dd></div>\n");
    }
    m.append("<div><dt>Asked</dt><dd>").append(Html.time(row.createdAt(), "ago"))
        .append("</dd></div>\n");
    m.append("<div><dt>").append(row.isPending() ? "Expires" : "Expiry").append("</dt><dd>")
        .append("<span id=\"countdown\" class=\"countdown\" data-expires=\"")
        .append(row.expiresAt()).append("\">").append(Html.time(row.expiresAt(), "until"))
        .append("</span></dd></div>\n");
    m.append("</dl>\n");

    JsonNode context = row.context();
    if (context != null && !context.isNull() && context.size() > 0) {
      m.append("<section aria-labelledby=\"context-h\"><h2 id=\"context-h\">Context</h2>\n")
          .append("<pre class=\"json\" tabindex=\"0\" aria-labelledby=\"context-h\">")
          .append(esc(Html.pretty(json, context))).append("</pre></section>\n");
    }
    boolean editing = row.isPending() && kind.equals("approval");
    if (row.params() != null && !row.params().isNull() && !editing) {
      m.append("<section aria-labelledby=\"params-h\"><h2 id=\"params-h\">Parameters</h2>\n")
          .append("<pre class=\"json\" tabindex=\"0\" aria-labelledby=\"params-h\">")
          .append(esc(Html.pretty(json, row.params()))).append("</pre></section>\n");
    }
    if (row.options() != null && row.options().size() > 0 && !row.isPending()) {
      m.append("<section aria-labelledby=\"options-h\"><h2 id=\"options-h\">Options</h2><ul>");
      row.options().forEach(o -> m.append("<li>").append(esc(o.asText())).append("</li>"));
      m.append("</ul></section>\n");
    }

    // The outcome: filled now if decided, and live by review.js when it is decided anywhere.
    m.append("<section id=\"outcome\" class=\"outcome").append(row.isPending() ? "" : " shown")
        .append(" outcome-").append(esc(row.status())).append("\" role=\"status\" ")
        .append("aria-live=\"polite\" tabindex=\"-1\"").append(row.isPending() ? " hidden" : "")
        .append(">").append(row.isPending() ? "" : outcome(row)).append("</section>\n");

    if (row.isPending()) {
      m.append("<form id=\"decide\" class=\"decide\" method=\"post\" action=\"/review/")
          .append(esc(row.id())).append("/decide\" novalidate>\n");
      if (viewer.token() != null) {
        m.append("<input type=\"hidden\" name=\"token\" value=\"").append(esc(viewer.token()))
            .append("\">\n");
      }
      m.append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(viewer.csrf()))
          .append("\">\n");
      m.append("<p id=\"form-error\" class=\"error\" role=\"alert\"")
          .append(error == null ? " hidden" : "").append(">").append(esc(error)).append("</p>\n");
      switch (kind) {
        case "approval" -> {
          JsonNode editable = editable(row);
          String original = Html.pretty(json, editable == null ? json.createObjectNode() : editable);
          m.append("<div class=\"field\">\n<label for=\"params\">Parameters to approve with</label>\n")
              .append("<p id=\"params-help\" class=\"hint\">JSON. Edit it to change what the")
              .append(" agent does; it is sent back as <code>modifiedParams</code>.</p>\n")
              .append("<textarea id=\"params\" name=\"modifiedParams\" rows=\"")
              .append(Math.min(16, Math.max(4, original.split("\n").length + 1)))
              .append("\" spellcheck=\"false\" autocapitalize=\"off\" autocomplete=\"off\" ")
              .append("aria-describedby=\"params-help params-error\" data-original=\"")
              .append(esc(original)).append("\">")
              .append(esc(paramsValue != null ? paramsValue : original)).append("</textarea>\n")
              .append("<p id=\"params-error\" class=\"error\" role=\"alert\" hidden></p>\n</div>\n");
        }
        case "choice" -> {
          m.append("<fieldset class=\"options\"><legend>Choose an answer</legend>\n");
          for (JsonNode o : row.options()) {
            m.append("<button type=\"submit\" class=\"btn option\" name=\"response\" value=\"")
                .append(esc(o.asText())).append("\">").append(esc(o.asText()))
                .append("</button>\n");
          }
          m.append("</fieldset>\n");
        }
        case "input" -> m.append("<div class=\"field\">\n<label for=\"answer\">Your answer</label>\n")
            .append("<textarea id=\"answer\" name=\"response\" rows=\"3\" required ")
            .append("aria-describedby=\"answer-error\"></textarea>\n")
            .append("<p id=\"answer-error\" class=\"error\" role=\"alert\" hidden></p>\n</div>\n");
        default -> { }
      }
      m.append("<div class=\"field\">\n<label for=\"reason\">Reason <span class=\"hint\">")
          .append("(optional)</span></label>\n<textarea id=\"reason\" name=\"reason\" rows=\"2\">")
          .append(esc(reasonValue)).append("</textarea>\n</div>\n");
      m.append("<div class=\"actions\">\n");
      switch (kind) {
        case "approval", "confirmation" -> m.append("<button type=\"submit\" class=\"btn approve\"")
            .append(" name=\"decision\" value=\"approved\">Approve</button>\n");
        case "input" -> m.append("<button type=\"submit\" class=\"btn approve\" name=\"decision\"")
            .append(" value=\"approved\">Send answer</button>\n");
        default -> { }
      }
      m.append("<button type=\"submit\" class=\"btn reject\" name=\"decision\" value=\"rejected\">")
          .append("Reject</button>\n</div>\n</form>\n");
    }
    m.append("</article>\n");

    if (viewer.owner()) {
      if (viewer.shareUrl() != null) {
        m.append("<section class=\"card\" aria-labelledby=\"share-h\"><h2 id=\"share-h\">")
            .append("Review link</h2>\n<p class=\"hint\">Anyone with this link can see and")
            .append(" decide this request until it expires. Send it by email or chat.</p>\n")
            .append("<div class=\"copy\"><label class=\"visually-hidden\" for=\"share\">Review")
            .append(" link</label><input id=\"share\" type=\"text\" readonly value=\"")
            .append(esc(viewer.shareUrl())).append("\"><button type=\"button\" class=\"btn small\"")
            .append(" data-copy=\"share\">Copy</button></div></section>\n");
      }
      m.append(audit(events));
    }
    String attributes = "class=\"narrow-page\" data-id=\"" + esc(row.id()) + "\" data-events=\"/review/"
        + esc(row.id()) + "/events" + esc(tokenQuery) + "\" data-status=\"" + esc(row.status())
        + "\"";
    return Html.document(row.isPending() ? "Review: " + row.action() : "Decided: " + row.action(),
        viewer.nav(), attributes, m.toString(), "review.js");
  }

  /** The outcome in words; review.js renders the same from {@link #state}. */
  String outcome(InterruptRow row) {
    StringBuilder b = new StringBuilder();
    String headline = switch (row.status()) {
      case "approved" -> "Approved";
      case "rejected" -> "Rejected";
      case "expired" -> "Expired: nobody decided in time";
      case "cancelled" -> "Cancelled by the agent";
      default -> Html.capitalize(row.status());
    };
    b.append("<h2>").append(esc(headline)).append("</h2>");
    if (row.decidedBy() != null || row.decidedAt() != null) {
      b.append("<p>");
      if (row.decidedBy() != null) {
        b.append("By <strong>").append(esc(row.decidedBy())).append("</strong> ");
      }
      if (row.decidedAt() != null) {
        b.append(Html.time(row.decidedAt(), "ago"));
      }
      b.append("</p>");
    }
    if (row.response() != null) {
      b.append("<p>Answer: <strong>").append(esc(row.response())).append("</strong></p>");
    }
    if (row.reason() != null) {
      b.append("<p>Reason: ").append(esc(row.reason())).append("</p>");
    }
    if (row.modifiedParams() != null && !row.modifiedParams().isNull()) {
      b.append("<p>Approved with these parameters:</p><pre class=\"json\">")
          .append(esc(Html.pretty(json, row.modifiedParams()))).append("</pre>");
    }
    return b.toString();
  }

  String audit(List<InterruptEventRow> events) {
    StringBuilder b = new StringBuilder();
    b.append("<section class=\"card\" aria-labelledby=\"audit-h\"><h2 id=\"audit-h\">Audit trail")
        .append("</h2>\n<ol class=\"audit\">\n");
    for (InterruptEventRow e : events) {
      b.append("<li><span class=\"audit-event\">").append(esc(e.event())).append("</span> ")
          .append("<span class=\"audit-actor\">").append(esc(e.actor() == null ? "" : e.actor()))
          .append("</span> ").append(Html.time(e.at(), "ago"));
      if (e.details() != null && e.details().size() > 0) {
        b.append("<pre class=\"json small\">").append(esc(Html.pretty(json, e.details())))
            .append("</pre>");
      }
      b.append("</li>\n");
    }
    b.append("</ol></section>\n");
    return b.toString();
  }
}
