package dev.interlock.workflows.engine;

import io.temporal.activity.ActivityInterface;

/** What a lease does to the world when it runs out: the store's side. */
@ActivityInterface
public interface LeaseActivities {

  /**
   * The lease's timer ran out. In one transaction, and only if the claim is still open and
   * its deadline in the store has passed: ends it as {@code lapsed}, returns its issue to
   * {@code todo} if it is still {@code in_progress}, and comments on the issue saying that
   * the lease lapsed and when. Idempotent: a retry finds the claim ended.
   */
  LapseResult lapse(LeaseRequest lease);
}
