package dev.interlock.server.service;

/**
 * A policy's id as a client sent it ({@code pol_} and 20 hex digits). Jersey builds it from a
 * path parameter ({@link #valueOf}); one that is not well formed names no policy, so lookups
 * by it answer "not found" in the dialect's words without a query.
 */
public record PolicyId(String value) {

  public static PolicyId valueOf(String raw) {
    return new PolicyId(raw);
  }

  /** Whether the id can name a policy at all. */
  public boolean wellFormed() {
    return PrefixedId.wellFormed(value, "pol_");
  }

  @Override
  public String toString() {
    return value;
  }
}
