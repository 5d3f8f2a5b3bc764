package dev.interlock.server.web;

import dev.interlock.model.InterruptRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.service.Deciders;
import dev.interlock.server.service.ReviewService;
import java.util.List;

/**
 * Where one interrupt stands for the person looking at it, as the inbox and the review page
 * show it.
 *
 * @param assigned the interrupt asks this person (its user, assignee or one of its reviewers
 *     is the person or one of its groups): the inbox lists it under "Assigned to you"
 * @param decides the person may decide it: its role may, and the interrupt is not routed to
 *     reviewers the person is not among (an admin always may)
 * @param onlyWho why someone whose role decides may not decide this one ("Only finance may
 *     decide"); null otherwise
 * @param waiting the person approved already and the quorum waits for others ("You approved;
 *     waiting for 1 more"): shown instead of the approve button; null otherwise
 */
record Standing(boolean assigned, boolean decides, String onlyWho, String waiting) {

  /**
   * The person looking: the caller (a logged-in member or a review link's holder) and the
   * names an interrupt may use to ask it ({@link ReviewService#askedNames}).
   */
  record Person(Caller caller, List<String> names) {

    /** Whether its role decides at all (a review link's holder does; a viewer does not). */
    boolean roleDecides() {
      return !caller.isUser() || Roles.mayDecide(caller.role());
    }

    Standing of(InterruptRow row) {
      boolean assigned = ReviewService.asks(row, names);
      if (!roleDecides()) {
        // A viewer: the pages say so once, not on every item.
        return new Standing(assigned, false, null, null);
      }
      try {
        // The very rule InterruptService.decideAs enforces, so the buttons shown are the
        // decisions that will be accepted.
        Deciders.check(caller, row.reviewers(), row.requiredApprovals(), names);
      } catch (Forbidden e) {
        return new Standing(assigned, false, row.reviewers().isEmpty() ? e.getMessage()
            : "Only " + either(row.reviewers()) + " may decide", null);
      }
      return new Standing(assigned, true, null, waiting(row));
    }

    /** "You approved; waiting for 1 more" once this person's approval counts; else null. */
    private String waiting(InterruptRow row) {
      String me = caller.actorId();
      if (row.requiredApprovals() <= 1
          || row.approvals().stream().noneMatch(a -> me.equals(a.approverId()))) {
        return null;
      }
      int left = row.requiredApprovals() - row.approvals().size();
      return left > 0 ? "You approved; waiting for " + left + " more"
          : "You approved; waiting for the others";
    }
  }

  /** "finance", "finance or bob", "finance, ops or bob". */
  static String either(List<String> names) {
    if (names.size() == 1) {
      return names.get(0);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " or "
        + names.get(names.size() - 1);
  }
}
