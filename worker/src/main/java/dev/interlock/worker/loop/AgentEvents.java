package dev.interlock.worker.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an agent reports during a turn. Both methods are called from the one thread that
 * reads the agent's output, in the order the agent wrote it; they should return quickly,
 * since the agent blocks once its output pipe is full.
 */
public interface AgentEvents {

  /**
   * One event of the turn, named and shaped as the loopat stream shows it:
   * <ul>
   *   <li>{@code assistant_delta {text}}</li>
   *   <li>{@code thinking_delta {text}}</li>
   *   <li>{@code tool_call {tool_use_id, tool, input_summary}}</li>
   *   <li>{@code tool_result {tool_use_id, ok}}</li>
   * </ul>
   */
  void event(String name, ObjectNode data);

  /**
   * The agent's session id, from its init line and again from its result line; the last one
   * reported is the one to resume the next turn with.
   */
  void session(String sessionId);
}
