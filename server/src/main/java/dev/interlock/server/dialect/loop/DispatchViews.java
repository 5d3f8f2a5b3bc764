package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.DispatchRow;
import dev.interlock.model.engine.ScoredIssue;
import dev.interlock.server.service.engine.DispatchPrompts;
import dev.interlock.server.service.engine.DispatchService;
import java.time.Duration;

/** Dispatch's answers in Loop's shapes, plus Interlock's lease. */
final class DispatchViews {

  /** Where a version's prompt is reviewed, as Loop's document writes it. */
  static final String REVIEW_URL = "POST /api/prompt-reviews";

  private final LoopViews views;

  DispatchViews(LoopViews views) {
    this.views = views;
  }

  /**
   * {@code GET /api/dispatch/next}: {@code {issue, prompt, meta}} as Loop's document has it,
   * plus {@code lease} (Interlock's): when the claim lapses unless the agent shows signs of
   * life. No credential: the agent keeps working with the key it claimed with.
   */
  ObjectNode claim(DispatchService.Claim claim, Duration lease) {
    ObjectNode out = views.json().createObjectNode();
    out.set("issue", views.issue(claim.issue()));
    DispatchPrompts.Rendered prompt = claim.prompt();
    out.put("prompt", prompt == null ? null : prompt.prompt());
    if (prompt == null) {
      out.putNull("meta");
    } else {
      ObjectNode meta = out.putObject("meta");
      meta.put("templateSlug", prompt.templateSlug());
      meta.put("templateId", prompt.templateId());
      meta.put("versionId", prompt.versionId());
      if (prompt.versionNumber() == null) {
        meta.putNull("versionNumber");
      } else {
        meta.put("versionNumber", prompt.versionNumber());
      }
      meta.put("reviewUrl", prompt.versionId() == null ? null : REVIEW_URL);
    }
    out.set("lease", lease(claim.dispatch(), lease));
    return out;
  }

  /** A claim's lease: {@code {dispatchId, issueId, claimedAt, expiresAt, heartbeatAt, durationSeconds}}. */
  ObjectNode lease(DispatchRow d, Duration lease) {
    ObjectNode o = views.json().createObjectNode();
    o.put("dispatchId", d.id());
    o.put("issueId", d.issueId());
    o.put("claimedAt", LoopViews.time(d.claimedAt()));
    o.put("expiresAt", LoopViews.time(d.leaseUntil()));
    o.put("heartbeatAt", LoopViews.time(d.heartbeatAt()));
    o.put("durationSeconds", lease.toSeconds());
    return o;
  }

  /** One entry of {@code GET /api/dispatch/queue}: {@code {issue, score, breakdown}}. */
  ObjectNode queued(ScoredIssue s) {
    ObjectNode o = views.json().createObjectNode();
    o.set("issue", views.issue(s.issue()));
    o.put("score", s.score());
    ObjectNode breakdown = o.putObject("breakdown");
    breakdown.put("priorityWeight", s.priorityWeight());
    breakdown.put("goalBonus", s.goalBonus());
    breakdown.put("ageBonus", s.ageBonus());
    breakdown.put("typeBonus", s.typeBonus());
    return o;
  }

  LoopViews loop() {
    return views;
  }
}
