package dev.interlock.server.service.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.temporal.LeaseGateway;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * Loop, the improvement engine, as the core serves it: issues and what organises them
 * (relations, comments, labels, projects, goals), signals, prompt templates and their
 * reviews, and dispatch with its leases. One object per server; the Loop dialect's
 * resources and tools, and the dashboard, work through its services.
 */
public final class Engine {

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final Clock clock;
  private final EngineConfig config;

  /**
   * @param dispatching what dispatch needs from outside the engine (Temporal for its leases,
   *     the core's interrupts for its approval gate)
   */
  public Engine(Jdbi jdbi, ObjectMapper json, Clock clock, EngineConfig config,
      Dispatching dispatching) {
    this.jdbi = jdbi;
    this.json = json;
    this.clock = clock;
    this.config = config;
    // ---- dispatch and leases -------------------------------------------------------------
    this.dispatch = new DispatchService(jdbi, dispatching.leases(), dispatching.interrupts(),
        dispatching.transitions(), new PlainDispatchPrompts(jdbi), json, clock,
        config.dispatchLease.toJavaDuration());
  }

  public EngineConfig config() {
    return config;
  }

  // ---- issues, relations, comments, labels, projects, goals ------------------------------

  // ---- signals and provider webhooks -----------------------------------------------------

  // ---- templates, versions, prompt reviews -----------------------------------------------

  // ---- dispatch and leases ---------------------------------------------------------------

  /**
   * What dispatch is built on besides the store: the leases' gateway to Temporal, and the
   * core's interrupts (and their transition notifications) for the approval gate.
   */
  public record Dispatching(LeaseGateway leases, InterruptService interrupts,
      TransitionListener transitions) {}

  private final DispatchService dispatch;

  /** The queue, claims and their leases, and the approval gate. */
  public DispatchService dispatch() {
    return dispatch;
  }
}
