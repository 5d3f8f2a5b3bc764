package dev.interlock.server.auth;

import java.util.List;
import java.util.Set;

/**
 * What a key may do. Users (login tokens) and keys with {@link #ADMIN} may do everything
 * with their own data; other keys only what their scopes name. Resources require a scope
 * with {@code @RolesAllowed}.
 */
public final class Scopes {

  public static final String ADMIN = "admin";
  public static final String REQUEST_CREATE = "request:create";
  public static final String REQUEST_READ = "request:read";
  public static final String REQUEST_DECIDE = "request:decide";
  public static final String WEBHOOK_MANAGE = "webhook:manage";
  /** Loop (the engine): read its issues, projects, templates, queue and dashboard. */
  public static final String LOOP_READ = "loop:read";
  /** Loop: write them, ingest signals, claim and complete work (dispatch), review prompts. */
  public static final String LOOP_WRITE = "loop:write";

  /** Every scope, in the order the docs list them. */
  public static final List<String> ALL = List.of(ADMIN, REQUEST_CREATE, REQUEST_READ,
      REQUEST_DECIDE, WEBHOOK_MANAGE, LOOP_READ, LOOP_WRITE);

  /**
   * What a key a user creates gets unless it asks for less: every scope but {@code admin}
   * (the dashboard's key form checks the same ones).
   */
  public static final Set<String> DEFAULT_FOR_USER_KEYS = Set.of(REQUEST_CREATE, REQUEST_READ,
      REQUEST_DECIDE, WEBHOOK_MANAGE, LOOP_READ, LOOP_WRITE);

  private Scopes() {}

  public static boolean isKnown(String scope) {
    return ALL.contains(scope);
  }
}
