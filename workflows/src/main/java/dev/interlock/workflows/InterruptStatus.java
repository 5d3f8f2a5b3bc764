package dev.interlock.workflows;

/**
 * The core life cycle of an interrupt. Dialects render these in their own words (LoopIn
 * {@code rejected} is AgentGate {@code denied}); the core keeps one vocabulary.
 */
public enum InterruptStatus {
  PENDING,
  APPROVED,
  REJECTED,
  CANCELLED,
  EXPIRED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static InterruptStatus fromWire(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }

  public boolean isPending() {
    return this == PENDING;
  }
}
