package dev.interlock.workflows.loop;

/**
 * One turn to run. The message is read from the store by the activity (it may be a
 * megabyte; it has no place in workflow history).
 *
 * @param coldStart whether the loop's workflow has just started (its first turn, or the
 *     first after the loop was idle long enough for the workflow to end): loopat's
 *     {@code started.cold_start}
 */
public record TurnInput(String loopId, String turnId, boolean coldStart) {}
