package dev.interlock.server.mcp;

/** What a tool may know of the call it serves, beyond its arguments. */
public interface ToolCall {

  /** The calling program's name as it introduced itself ({@code clientInfo.name}), or null. */
  String clientName();

  /**
   * Tells the client the call is still working, if it asked for progress (sent a progress
   * token); otherwise does nothing. Never throws.
   */
  void progress(String message);

  /** Whether the client is known to have gone (its connection closed while we waited). */
  boolean clientGone();

  /**
   * Runs {@code action} once when the client is known to have gone (at once if it has),
   * on whichever thread learns it: the action must be quick and must not block. A call
   * that cannot tell (the default) never runs it; {@link #clientGone} still answers.
   */
  default void whenGone(Runnable action) {}
}
