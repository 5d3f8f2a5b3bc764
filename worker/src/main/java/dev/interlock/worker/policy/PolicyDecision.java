package dev.interlock.worker.policy;

import java.util.Locale;

/** What a policy rule decides for a matching request. */
public enum PolicyDecision {
  AUTO_APPROVE, AUTO_DENY, ROUTE_TO_HUMAN;

  /** Whether a person decides: only then may a rule name reviewers and a quorum. */
  public boolean routesToHuman() {
    return this == ROUTE_TO_HUMAN;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PolicyDecision fromWire(String value) {
    for (PolicyDecision d : values()) {
      if (d.wire().equals(value)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "decision must be one of auto_approve, auto_deny, route_to_human");
  }
}
