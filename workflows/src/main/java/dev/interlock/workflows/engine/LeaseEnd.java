package dev.interlock.workflows.engine;

/**
 * How a lease ended: the argument of {@link LeaseWorkflow#complete} and the workflow's
 * result.
 *
 * @param outcome {@code completed} (the issue is done), {@code released} (it left
 *     {@code in_progress} otherwise), {@code canceled} (canceled or deleted), {@code lapsed}
 *     (the lease ran out and the lapse activity ended it), or {@code ended} (the lapse
 *     activity found it already ended in the store)
 */
public record LeaseEnd(String outcome) {

  public static final String COMPLETED = "completed";
  public static final String RELEASED = "released";
  public static final String CANCELED = "canceled";
  public static final String LAPSED = "lapsed";
  public static final String ENDED = "ended";
}
