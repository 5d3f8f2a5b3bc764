package dev.interlock.workflows.loop;

/**
 * How a turn ended.
 *
 * @param status done, interrupted or error
 * @param code for an error: a stable code ({@code agent_spawn_failed}, {@code agent_exited},
 *     {@code agent_error}, {@code runner_lost}, ...)
 */
public record TurnOutcome(String status, String code, String message) {

  public static TurnOutcome done() {
    return new TurnOutcome("done", null, null);
  }

  public static TurnOutcome interrupted() {
    return new TurnOutcome("interrupted", null, null);
  }

  public static TurnOutcome error(String code, String message) {
    return new TurnOutcome("error", code, message);
  }
}
