package dev.interlock.server.service;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.errors.Forbidden;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may decide an interrupt, beyond the scope {@code request:decide} every door checks:
 *
 * <ul>
 *   <li>a person by role: an admin always; a reviewer when the interrupt names no reviewers,
 *       or names the reviewer (username or user id) or one of its groups; a viewer never;
 *   <li>an API key with the scope, and the holder of a review link (the link was handed to
 *       someone on purpose), always.
 * </ul>
 *
 * Names are compared regardless of letter case, as usernames and group names are unique
 * that way.
 */
public final class Deciders {

  private Deciders() {}

  /**
   * A quorum ({@code requiredApprovals} above 1) counts people, so a review link (which
   * names no one who logged in, and could be a second approval by someone who already
   * approved) does not decide one.
   *
   * @param reviewers the interrupt's reviewers (group names or usernames), empty for anyone
   * @param callerNames the caller's username, user id and groups in the workspace
   * @throws Forbidden with a message that says who may decide
   */
  public static void check(Caller caller, List<String> reviewers, int requiredApprovals,
      List<String> callerNames) {
    if (caller.kind() == Caller.Kind.REVIEW_LINK && requiredApprovals > 1) {
      throw new Forbidden("This request needs " + requiredApprovals + " approvals from"
          + " different people: log in to decide it");
    }
    if (!caller.isUser()) {
      return;
    }
    if (!Roles.mayDecide(caller.role())) {
      throw new Forbidden("A viewer cannot decide: ask an admin of this workspace for the"
          + " reviewer role");
    }
    if (Roles.ADMIN.equals(caller.role()) || reviewers == null || reviewers.isEmpty()) {
      return;
    }
    Set<String> mine = callerNames.stream().map(Deciders::fold).collect(Collectors.toSet());
    if (reviewers.stream().map(Deciders::fold).noneMatch(mine::contains)) {
      throw new Forbidden("This interrupt is for " + String.join(", ", reviewers)
          + ": only they or an admin may decide it");
    }
  }

  private static String fold(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
