package dev.interlock.workflows;

/** What a person decided. Every dialect's vocabulary maps onto these two. */
public enum Decision {
  APPROVED,
  REJECTED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public InterruptStatus status() {
    return this == APPROVED ? InterruptStatus.APPROVED : InterruptStatus.REJECTED;
  }
}
