package dev.interlock.server.dialect.agentgate;

import dev.interlock.server.errors.NotFound;
import java.util.function.Supplier;

/**
 * Calls on one AgentGate request, in AgentGate's words when it is not there: the core says
 * "Interrupt not found" (LoopIn's word), AgentGate's server and SDK say "Request not found".
 * Every NotFound of these calls is about the request: the core throws no other.
 */
public final class RequestCalls {

  public static final String NOT_FOUND = "Request not found";

  private RequestCalls() {}

  public static <T> T onRequest(Supplier<T> call) {
    try {
      return call.get();
    } catch (NotFound e) {
      throw new NotFound(NOT_FOUND);
    }
  }
}
