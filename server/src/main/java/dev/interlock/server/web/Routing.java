package dev.interlock.server.web;

import dev.interlock.model.InterruptRow;
import dev.interlock.server.wire.Quorum;

/**
 * Who an interrupt is for and how far its quorum is, in words ({@code routing.mustache}, on
 * inbox items and the review page); each part null when it has nothing to say.
 *
 * @param forWhom "For finance, bob": the reviewer groups or people it is routed to
 * @param askedWho "Asked: ann": the person it names, its assignee or else its LoopIn user
 * @param quorum "1 of 2 approvals (ann)", for an interrupt that needs several approvals
 */
record Routing(String forWhom, String askedWho, String quorum) {

  /** The routing of {@code row}, or null when it is for anyone and one approval settles it. */
  static Routing of(InterruptRow row) {
    String reviewers = row.reviewers().isEmpty() ? null
        : "For " + String.join(", ", row.reviewers());
    String person = row.assignee() != null ? row.assignee()
        // LoopIn's userId names the person asked; the other dialects use it for a session.
        : "loopin".equals(row.source()) ? row.userId() : null;
    String asked = person == null || person.isBlank() ? null : "Asked: " + person;
    String quorum = row.requiredApprovals() > 1 ? Quorum.summary(row) : null;
    return reviewers == null && asked == null && quorum == null ? null
        : new Routing(reviewers, asked, quorum);
  }
}
