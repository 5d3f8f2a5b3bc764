package dev.interlock.server.auth;

import java.security.Principal;
import java.util.Set;

/**
 * Who is calling, and the workspace whose data it may touch: every read and write is scoped
 * to {@code ownerId} (a workspace id). A caller is either an API key ({@code keyId} set, the
 * key's workspace) or a user who logged in, with a bearer token or the session cookie
 * ({@code userId} set, {@code ownerId} the workspace the user works in, {@code role} the
 * user's role there and {@code scopes} what that role may do). {@code name} is what a person
 * reads: the username or the key's name. {@code rateLimit} is the key's requests per
 * minute; null means unlimited.
 */
public record Caller(Kind kind, String keyId, String ownerId, String name, Set<String> scopes,
    Integer rateLimit, String userId, String role) implements Principal {

  public enum Kind {
    API_KEY,
    /** A login token sent as {@code Authorization: Bearer}. */
    USER_TOKEN,
    /** A login token sent as the {@code loopat_session} cookie (same-origin web pages). */
    USER_SESSION,
    /**
     * Someone holding a signed review link: acts for the interrupt's owner on that one
     * interrupt only; {@code name} is the link's audience. Never made by the auth filter.
     */
    REVIEW_LINK
  }

  /** An API key. */
  public static Caller key(String keyId, String workspaceId, String name, Set<String> scopes,
      Integer rateLimit) {
    return new Caller(Kind.API_KEY, keyId, workspaceId, name, scopes, rateLimit, null, null);
  }

  /**
   * A user whose token was verified, before its workspace is known: working in its own
   * workspace as its admin until {@link Workspaces#resolve} says where it works.
   */
  public static Caller user(String userId, String username) {
    return new Caller(Kind.USER_TOKEN, null, userId, username, Set.of(Scopes.ADMIN), null,
        userId, Roles.ADMIN);
  }

  /** The holder of a verified review link, acting for the workspace of its interrupt. */
  public static Caller reviewLink(String ownerId, String audience) {
    return new Caller(Kind.REVIEW_LINK, null, ownerId, audience, Set.of(Scopes.REQUEST_READ,
        Scopes.REQUEST_DECIDE), null, null, null);
  }

  public Caller viaSession() {
    return new Caller(Kind.USER_SESSION, keyId, ownerId, name, scopes, rateLimit, userId, role);
  }

  /** The same user, working in {@code workspaceId} with {@code role}. */
  public Caller inWorkspace(String workspaceId, String role) {
    return new Caller(kind, keyId, workspaceId, name, Roles.scopes(role), rateLimit, userId,
        role);
  }

  @Override
  public String getName() {
    return name;
  }

  public boolean isUser() {
    return kind == Kind.USER_TOKEN || kind == Kind.USER_SESSION;
  }

  /**
   * How this caller appears to people: in {@code decidedBy}, the audit trail, callbacks and
   * webhooks. A user's username, a key's name, a review link's audience.
   */
  public String actor() {
    if (kind == Kind.REVIEW_LINK) {
      return "review:" + name;
    }
    return name;
  }

  /**
   * Who this caller is, stably ({@code user:<uuid>}, {@code key:<id>},
   * {@code review:<audience>}): recorded beside {@link #actor()}, and what tells two
   * approvers of a quorum apart.
   */
  public String actorId() {
    if (kind == Kind.REVIEW_LINK) {
      return "review:" + name;
    }
    return isUser() ? "user:" + userId : "key:" + keyId;
  }

  public boolean hasScope(String scope) {
    return scopes.contains(Scopes.ADMIN) || scopes.contains(scope);
  }

  public boolean isRateLimited() {
    return rateLimit != null && rateLimit > 0;
  }
}
