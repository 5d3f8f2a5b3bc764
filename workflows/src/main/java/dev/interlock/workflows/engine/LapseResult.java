package dev.interlock.workflows.engine;

/**
 * What the lapse activity found when the lease's timer ran out.
 *
 * @param status {@link #LAPSED}: the lease is ended as lapsed now; {@link #ENDED}: it had
 *     ended already (or was never committed), nothing changed; {@link #EXTENDED}: the store
 *     holds a later deadline (a heartbeat whose signal did not arrive), nothing changed
 * @param remainingMillis for {@link #EXTENDED}: how long until the store's deadline
 * @param returnedToQueue for {@link #LAPSED}: whether the issue went back to {@code todo}
 *     (false when it had left {@code in_progress} by other means)
 */
public record LapseResult(String status, long remainingMillis, boolean returnedToQueue) {

  public static final String LAPSED = "lapsed";
  public static final String ENDED = "ended";
  public static final String EXTENDED = "extended";

  public static LapseResult lapsed(boolean returnedToQueue) {
    return new LapseResult(LAPSED, 0, returnedToQueue);
  }

  public static LapseResult ended() {
    return new LapseResult(ENDED, 0, false);
  }

  public static LapseResult extended(long remainingMillis) {
    return new LapseResult(EXTENDED, remainingMillis, false);
  }
}
