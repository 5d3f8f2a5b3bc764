package dev.interlock.server.auth;

import java.util.List;
import java.util.Set;

/**
 * A member's role in a workspace, and the scopes it grants: an {@link #ADMIN} may do
 * everything (members, keys, policies, webhooks); a {@link #REVIEWER} sees and decides the
 * workspace's interrupts; a {@link #VIEWER} only reads.
 */
public final class Roles {

  public static final String ADMIN = "admin";
  public static final String REVIEWER = "reviewer";
  public static final String VIEWER = "viewer";

  public static final List<String> ALL = List.of(ADMIN, REVIEWER, VIEWER);

  private Roles() {}

  public static boolean isKnown(String role) {
    return ALL.contains(role);
  }

  public static Set<String> scopes(String role) {
    if (role == null) {
      return Set.of();
    }
    return switch (role) {
      case ADMIN -> Set.of(Scopes.ADMIN);
      case REVIEWER -> Set.of(Scopes.REQUEST_READ, Scopes.REQUEST_DECIDE, Scopes.LOOP_READ);
      case VIEWER -> Set.of(Scopes.REQUEST_READ, Scopes.LOOP_READ);
      default -> Set.of();
    };
  }

  /** Whether this role may decide interrupts. */
  public static boolean mayDecide(String role) {
    return ADMIN.equals(role) || REVIEWER.equals(role);
  }
}
