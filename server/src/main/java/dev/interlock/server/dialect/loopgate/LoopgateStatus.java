package dev.interlock.server.dialect.loopgate;

/** Loopgate's four statuses for the core's five: a decided request is "completed". */
public final class LoopgateStatus {

  private LoopgateStatus() {}

  public static String of(String coreStatus) {
    return switch (coreStatus) {
      case "pending" -> "pending";
      case "approved", "rejected" -> "completed";
      case "expired" -> "timeout";
      case "cancelled" -> "canceled";
      default -> throw new IllegalArgumentException("unknown status " + coreStatus);
    };
  }
}
