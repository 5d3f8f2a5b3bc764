package dev.interlock.server.service;

import java.util.UUID;

/**
 * An interrupt's id as a client sent it: a lower- or upper-case UUID in its 36-character
 * form. Jersey builds it from a path parameter ({@link #valueOf}); one that is not well formed
 * names no interrupt, so every lookup by it answers "not found" in the dialect's words, as an
 * unknown id does, without a query.
 */
public record InterruptId(String value) {

  public static InterruptId valueOf(String raw) {
    return new InterruptId(raw);
  }

  /** Whether the id can name an interrupt at all. */
  public boolean wellFormed() {
    if (value == null || value.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
