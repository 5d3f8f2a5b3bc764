package dev.interlock.worker.loop;

/**
 * How a turn ended.
 *
 * @param done true when the agent wrote a successful result line
 * @param code null when done, else one of {@link #SPAWN_FAILED}, {@link #EXITED},
 *     {@link #ERROR}
 * @param message the agent's final text when done; otherwise what went wrong, for the log and
 *     the person reading the conversation
 * @param sessionId the last session id the agent reported, or null if it reported none
 */
public record AgentResult(boolean done, String code, String message, String sessionId) {

  /** The command could not be started (missing executable, missing workdir, ...). */
  public static final String SPAWN_FAILED = "agent_spawn_failed";
  /** The process ended without writing a result line. */
  public static final String EXITED = "agent_exited";
  /** The agent wrote a result line that reports an error. */
  public static final String ERROR = "agent_error";

  static AgentResult done(String resultText, String sessionId) {
    return new AgentResult(true, null, resultText, sessionId);
  }

  static AgentResult failed(String code, String message, String sessionId) {
    return new AgentResult(false, code, message, sessionId);
  }
}
