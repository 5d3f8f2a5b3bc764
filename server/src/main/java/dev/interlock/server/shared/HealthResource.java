package dev.interlock.server.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.service.RecoveryPass;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.server.wire.IsoTimes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /health}, shared by every dialect and open without a key:
 * {@code {status:"ok", timestamp}} plus the state of each dependency. Answers 503 with
 * status "unavailable" when PostgreSQL or Temporal cannot be reached, so load balancers
 * stop sending traffic. {@code details} says which Temporal mode runs, whether waits
 * carry Interlock's search attributes, how many waits for a decision this instance holds
 * ({@code waiters}) and, embedded, how many closed workflows the in-process service holds
 * and how often it was recycled.
 */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {

  private final Jdbi jdbi;
  private final InterruptGateway gateway;
  private final TransitionListener listener;
  private final RecoveryPass recovery;
  private final ObjectMapper json;
  private final Clock clock;
  private final java.util.function.Supplier<java.util.Map<String, Object>> details;

  /** @param details facts about the Temporal in use (mode, search attributes, ...) */
  public HealthResource(Jdbi jdbi, InterruptGateway gateway, TransitionListener listener,
      RecoveryPass recovery, ObjectMapper json, Clock clock,
      java.util.function.Supplier<java.util.Map<String, Object>> details) {
    this.details = details;
    this.jdbi = jdbi;
    this.gateway = gateway;
    this.listener = listener;
    this.recovery = recovery;
    this.json = json;
    this.clock = clock;
  }

  @GET
  public Response health() {
    boolean db = check(() -> jdbi.useHandle(h -> h.createQuery("select 1").mapTo(int.class).one()));
    boolean temporal = check(gateway::ping);
    boolean ok = db && temporal;
    ObjectNode body = json.createObjectNode();
    body.put("status", ok ? "ok" : "unavailable");
    body.put("timestamp", IsoTimes.format(clock.instant()));
    ObjectNode checks = body.putObject("checks");
    checks.put("database", db ? "ok" : "unreachable");
    checks.put("temporal", temporal ? "ok" : "unreachable");
    checks.put("notifications", listener.isListening() ? "ok" : "reconnecting");
    checks.put("recovery", recovery.isDone() ? "done" : "running");
    ObjectNode facts = body.putObject("details");
    facts.setAll((ObjectNode) json.valueToTree(details.get()));
    // Held long-polls and blocking tool calls on this instance: a number that only grows
    // means waits that outlive their clients.
    facts.put("waiters", listener.waiting());
    return Response.status(ok ? 200 : 503).entity(body).build();
  }

  private static boolean check(Runnable probe) {
    try {
      probe.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
