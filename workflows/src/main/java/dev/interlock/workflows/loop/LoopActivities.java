package dev.interlock.workflows.loop;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/** What a loop's workflows do to the world: the store, and the agent's process. */
@ActivityInterface
public interface LoopActivities {

  /**
   * Marks a queued turn running and appends its {@code started} event. False when the turn
   * is no longer queued (it was interrupted meanwhile): it must not run. Idempotent.
   */
  boolean startTurn(TurnInput turn);

  /**
   * Runs the agent for the turn: mints the turn's MCP key, spawns the agent's process,
   * appends every event it streams, heartbeats while it runs and stops it when the
   * activity is cancelled. Returns how the agent ended (done, or an error with its code);
   * never retried: an agent's work is not repeatable.
   */
  TurnOutcome runAgent(TurnInput turn);

  /**
   * Records a turn's end: its status, its terminal event ({@code done}, {@code interrupted}
   * or {@code error}), a pending choice withdrawn, its MCP key revoked. Idempotent: the
   * first end stands.
   */
  void finishTurn(TurnEnd end);

  /** Ends queued turns that will not run (an interrupt drained the queue). Idempotent. */
  void endQueued(String loopId, List<String> turnIds, TurnOutcome outcome);
}
