package dev.interlock.server.service;

import dev.interlock.server.temporal.InterruptGateway;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether this instance can serve: PostgreSQL answers, Temporal answers, the notification
 * listener is connected, the recovery pass is done, and facts an operator reads beside them.
 */
public final class HealthService {

  /** One look at the dependencies; {@code details} in the order they are shown. */
  public record Health(boolean database, boolean temporal, boolean listening,
      boolean recoveryDone, Map<String, Object> details) {

    /** Serving: the database and Temporal answer (the rest only informs). */
    public boolean ok() {
      return database && temporal;
    }
  }

  private final Jdbi jdbi;
  private final InterruptGateway gateway;
  private final TransitionListener listener;
  private final RecoveryPass recovery;
  private final Supplier<Map<String, Object>> details;

  /** @param details facts about the Temporal in use (mode, search attributes, ...) */
  public HealthService(Jdbi jdbi, InterruptGateway gateway, TransitionListener listener,
      RecoveryPass recovery, Supplier<Map<String, Object>> details) {
    this.jdbi = jdbi;
    this.gateway = gateway;
    this.listener = listener;
    this.recovery = recovery;
    this.details = details;
  }

  public Health check() {
    boolean db = probe(() -> jdbi.useHandle(h -> h.createQuery("select 1").mapTo(int.class).one()));
    boolean temporal = probe(gateway::ping);
    Map<String, Object> facts = new LinkedHashMap<>(details.get());
    // Held long-polls and blocking tool calls on this instance: a number that only grows
    // means waits that outlive their clients.
    facts.put("waiters", listener.waiting());
    return new Health(db, temporal, listener.isListening(), recovery.isDone(), facts);
  }

  private static boolean probe(Runnable probe) {
    try {
      probe.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
