package dev.interlock.server.service;

import java.util.Locale;

/** The core urgency scale; dialects map their words onto it (LoopIn "medium" is NORMAL). */
public enum Urgency {
  LOW, NORMAL, HIGH, CRITICAL;

  public String stored() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Urgency fromStored(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
