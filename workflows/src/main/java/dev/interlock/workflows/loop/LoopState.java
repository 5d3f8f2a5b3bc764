package dev.interlock.workflows.loop;

import java.util.List;

/**
 * What a loop's workflow carries across continue-as-new: its queue, in order, and whether
 * the loop is warm.
 *
 * @param queue the turns waiting to run, lowest number first
 * @param warm whether the run before this one ran a turn and continued as new (its next turn
 *     is then no {@code cold_start}); false when the loop starts after being idle or new
 */
public record LoopState(String loopId, List<TurnRef> queue, boolean warm) {

  public LoopState {
    queue = queue == null ? List.of() : List.copyOf(queue);
  }

  /** A loop that starts cold (new, or after its idle end). */
  public LoopState(String loopId, List<TurnRef> queue) {
    this(loopId, queue, false);
  }
}
