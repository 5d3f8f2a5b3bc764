package dev.interlock.server.auth;

import java.security.Principal;
import java.util.Set;

/**
 * Who is calling, and the owner whose data it may touch: every read and write is scoped to
 * {@code ownerId}. A caller is either an API key ({@code keyId} set) or a user who logged
 * in, with a bearer token or the session cookie ({@code keyId} null, {@code ownerId} the
 * user's id). {@code rateLimit} is the key's requests per minute; null means unlimited.
 */
public record Caller(Kind kind, String keyId, String ownerId, String name, Set<String> scopes,
    Integer rateLimit) implements Principal {

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

  /** An API key without a rate limit. */
  public Caller(String keyId, String ownerId, String name, Set<String> scopes) {
    this(Kind.API_KEY, keyId, ownerId, name, scopes, null);
  }

  /** A user has every right over its own data. */
  public static Caller user(String userId, String username) {
    return new Caller(Kind.USER_TOKEN, null, userId, username, Set.of(Scopes.ADMIN), null);
  }

  /** The holder of a verified review link, acting for the owner of its interrupt. */
  public static Caller reviewLink(String ownerId, String audience) {
    return new Caller(Kind.REVIEW_LINK, null, ownerId, audience, Set.of(Scopes.REQUEST_READ,
        Scopes.REQUEST_DECIDE), null);
  }

  public Caller viaSession() {
    return new Caller(Kind.USER_SESSION, keyId, ownerId, name, scopes, rateLimit);
  }

  @Override
  public String getName() {
    return name;
  }

  public boolean isUser() {
    return kind == Kind.USER_TOKEN || kind == Kind.USER_SESSION;
  }

  /** How this caller appears in the audit trail. */
  public String actor() {
    if (kind == Kind.REVIEW_LINK) {
      return "review:" + name;
    }
    return isUser() ? "user:" + ownerId : "key:" + keyId;
  }

  public boolean hasScope(String scope) {
    return scopes.contains(Scopes.ADMIN) || scopes.contains(scope);
  }

  public boolean isRateLimited() {
    return rateLimit != null && rateLimit > 0;
  }
}
