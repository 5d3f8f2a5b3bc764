package dev.interlock.server.auth;

import java.security.Principal;
import java.util.Set;

/**
 * Who is calling: the key that authenticated the request and the owner whose data it may
 * touch. Every read and write is scoped to {@code ownerId}.
 */
public record Caller(String keyId, String ownerId, String name, Set<String> scopes)
    implements Principal {

  @Override
  public String getName() {
    return name;
  }

  /** How this caller appears in the audit trail. */
  public String actor() {
    return "key:" + keyId;
  }

  public boolean hasScope(String scope) {
    return scopes.contains("admin") || scopes.contains(scope);
  }
}
