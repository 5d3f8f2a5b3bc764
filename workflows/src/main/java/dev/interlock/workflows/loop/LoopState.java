package dev.interlock.workflows.loop;

import java.util.List;

/**
 * What a loop's workflow carries across continue-as-new: its queue, in order.
 *
 * @param queue the turns waiting to run, lowest number first
 */
public record LoopState(String loopId, List<TurnRef> queue) {

  public LoopState {
    queue = queue == null ? List.of() : List.copyOf(queue);
  }
}
