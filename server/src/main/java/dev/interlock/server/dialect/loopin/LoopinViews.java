package dev.interlock.server.dialect.loopin;

import dev.interlock.server.wire.Quorum;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.auth.Caller;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.CountRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.wire.Outcome;
import dev.interlock.server.wire.WhatIsAsked;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders core interrupts in LoopIn's words and shapes: each shape is a record made in one
 * place here. LoopIn sends every field of a shape, null when it has no value.
 */
public final class LoopinViews {

  /** {@code POST /interrupts}: 201. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"interruptId", "status", "expiresAt", "reviewUrl"})
  public record CreatedInterrupt(String interruptId, String status, String expiresAt,
      String reviewUrl) {}

  /**
   * {@code GET /interrupts/{id}}: the same shape in every state. Its outcome fields are the
   * core's {@link Outcome}, as the callback carries it; they cannot be that record embedded,
   * as LoopIn puts the question between the status and the decision.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"interruptId", "status", "agentId", "userId", "action", "context",
      "urgency", "createdAt", "expiresAt", "reviewUrl", "decision", "decidedAt", "reason",
      "modifiedParams", "decidedBy", "requiredApprovals", "approvals"})
  public record InterruptView(String interruptId, String status, String agentId, String userId,
      String action, JsonNode context, String urgency, String createdAt, String expiresAt,
      String reviewUrl, String decision, String decidedAt, String reason,
      JsonNode modifiedParams,
      /* Interlock extension: who decided (a username, a key's name), once decided. */
      @JsonInclude(JsonInclude.Include.NON_NULL) String decidedBy,
      /* Interlock extension, only for a quorum: approvals needed and given so far. */
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer requiredApprovals,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Quorum.ApprovalView> approvals) {

    static InterruptView of(InterruptRow row, String reviewUrl) {
      Outcome outcome = Outcome.of(row);
      // An AgentGate request's or a tool call's params, a Loopgate question's options: shown
      // in the context, the one free-form place LoopIn has (WhatIsAsked).
      return new InterruptView(outcome.interruptId(), outcome.status(), row.agentId(),
          row.userId(), row.action(), WhatIsAsked.contextWithParts(row, true),
          LoopinViews.urgency(row.urgency()), IsoTimes.format(row.createdAt()),
          IsoTimes.format(row.expiresAt()), reviewUrl, outcome.decision(), outcome.decidedAt(),
          outcome.reason(), outcome.modifiedParams(), outcome.decidedBy(),
          Quorum.required(row), Quorum.approvals(row));
    }
  }

  /**
   * {@code POST /interrupts/{id}/decide}: the status reads "resolved", as the spec says; an
   * approval that a quorum still waits beyond reads "pending" (an Interlock extension).
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"interruptId", "status", "decision", "decidedAt"})
  public record DecidedInterrupt(String interruptId, String status, String decision,
      String decidedAt) {}

  /** {@code DELETE /interrupts/{id}}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"interruptId", "status"})
  public record CancelledInterrupt(String interruptId, String status) {}

  /** One item of {@code GET /interrupts/pending/{userId}}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"interruptId", "agentId", "action", "urgency", "createdAt", "expiresAt",
      "reviewUrl"})
  public record PendingInterrupt(String interruptId, String agentId, String action,
      String urgency, String createdAt, String expiresAt, String reviewUrl) {}

  /** One entry of {@code GET /interrupts/{id}/events} (an Interlock extension). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"timestamp", "event", "actor", "details"})
  public record InterruptEvent(String timestamp, String event, String actor, JsonNode details) {
    static InterruptEvent of(InterruptEventRow e) {
      return new InterruptEvent(IsoTimes.format(e.at()), e.event(), e.actor(), e.details());
    }
  }

  /** {@code GET /analytics/{userId}}; the rate and the average are null when none is decided. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"userId", "totalInterrupts", "approvalRate", "avgResponseTimeMs",
      "byStatus", "byUrgency", "topActionTypes"})
  public record InterruptAnalytics(String userId, long totalInterrupts, Double approvalRate,
      Long avgResponseTimeMs, Map<String, Long> byStatus, Map<String, Long> byUrgency,
      List<ActionCount> topActionTypes) {}

  /** One of {@link InterruptAnalytics#topActionTypes}. */
  @JsonPropertyOrder({"action", "count"})
  public record ActionCount(String action, long count) {}

  private final ReviewLinks links;

  public LoopinViews(ReviewLinks links) {
    this.links = links;
  }

  /**
   * The views as {@code caller} sees them: a person who may not decide (a workspace's
   * viewer) gets {@code reviewUrl} null, because the link itself decides. Keys keep it
   * whatever their scopes: an agent hands the link to the person it asks.
   */
  public LoopinViews seenBy(Caller caller) {
    return caller.isUser() && !caller.hasScope(Scopes.REQUEST_DECIDE) ? new LoopinViews(null)
        : this;
  }

  /** {@code <base>/review/<id>?token=...}: a signed link that works without an API key. */
  public String reviewUrl(InterruptRow row) {
    return links == null ? null : links.url(row);
  }

  /** LoopIn has three urgencies: NORMAL is "medium", CRITICAL shows as "high". */
  public static String urgency(String stored) {
    return switch (Urgency.fromStored(stored)) {
      case LOW -> "low";
      case NORMAL -> "medium";
      case HIGH, CRITICAL -> "high";
    };
  }

  public CreatedInterrupt created(InterruptRow row) {
    return new CreatedInterrupt(row.id(), row.status(), IsoTimes.format(row.expiresAt()),
        reviewUrl(row));
  }

  public InterruptView interrupt(InterruptRow row) {
    return InterruptView.of(row, reviewUrl(row));
  }

  public DecidedInterrupt decided(InterruptRow row) {
    return new DecidedInterrupt(row.id(), row.isPending() ? "pending" : "resolved", row.decision(),
        IsoTimes.format(row.decidedAt()));
  }

  public CancelledInterrupt cancelled(InterruptRow row) {
    return new CancelledInterrupt(row.id(), row.status());
  }

  public List<PendingInterrupt> pending(List<InterruptRow> rows) {
    return rows.stream().map(row -> new PendingInterrupt(row.id(), row.agentId(), row.action(),
        urgency(row.urgency()), IsoTimes.format(row.createdAt()),
        IsoTimes.format(row.expiresAt()), reviewUrl(row))).toList();
  }

  public List<InterruptEvent> events(List<InterruptEventRow> events) {
    return events.stream().map(InterruptEvent::of).toList();
  }

  public InterruptAnalytics analytics(String userId, InterruptService.Analytics a) {
    long approved = count(a.byStatus(), "approved");
    long rejected = count(a.byStatus(), "rejected");
    Double approvalRate = approved + rejected == 0
        ? null : Math.round(1000.0 * approved / (approved + rejected)) / 1000.0;
    Long avgResponseTimeMs =
        a.avgDecisionMillis() == null ? null : Math.round(a.avgDecisionMillis());
    Map<String, Long> byStatus = new LinkedHashMap<>();
    a.byStatus().forEach(c -> byStatus.put(c.label(), c.count()));
    // CRITICAL and HIGH are both "high" in LoopIn's words: one count.
    Map<String, Long> byUrgency = new LinkedHashMap<>();
    a.byUrgency().forEach(c -> byUrgency.merge(urgency(c.label()), c.count(), Long::sum));
    List<ActionCount> top =
        a.topActions().stream().map(c -> new ActionCount(c.label(), c.count())).toList();
    return new InterruptAnalytics(userId, a.total(), approvalRate, avgResponseTimeMs, byStatus,
        byUrgency, top);
  }

  private static long count(List<CountRow> rows, String label) {
    return rows.stream().filter(r -> r.label().equals(label)).mapToLong(CountRow::count).sum();
  }
}
