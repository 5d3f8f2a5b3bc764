package dev.interlock.server.shared;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.server.service.HealthService;
import dev.interlock.model.IsoTimes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Map;

/**
 * {@code GET /health}, shared by every dialect and open without a key, one body that answers
 * each of them: {@code status} ("ok"; AgentGate's and the others'), {@code ok} and
 * {@code service} (Loop's {@code {ok, service, timestamp}}), {@code timestamp}, plus the
 * state of each dependency. Answers 503 with status "unavailable" and {@code ok: false}
 * when PostgreSQL or Temporal cannot be reached, so load balancers stop sending traffic. {@code details} says which Temporal mode runs, whether waits
 * carry Interlock's search attributes, how many waits for a decision this instance holds
 * ({@code waiters}) and, embedded, how many closed workflows the in-process service holds
 * and how often it was recycled.
 */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {

  /** What {@code service} says: the server, whichever dialect asks. */
  static final String SERVICE = "interlock";

  @JsonPropertyOrder({"status", "ok", "service", "timestamp", "checks", "details"})
  record HealthBody(String status, boolean ok, String service, String timestamp, Checks checks,
      Map<String, Object> details) {}

  @JsonPropertyOrder({"database", "temporal", "notifications", "recovery"})
  record Checks(String database, String temporal, String notifications, String recovery) {}

  private final HealthService health;
  private final Clock clock;

  public HealthResource(HealthService health, Clock clock) {
    this.health = health;
    this.clock = clock;
  }

  @GET
  public Response health() {
    HealthService.Health h = health.check();
    HealthBody body = new HealthBody(h.ok() ? "ok" : "unavailable", h.ok(), SERVICE,
        IsoTimes.format(clock.instant()),
        new Checks(h.database() ? "ok" : "unreachable", h.temporal() ? "ok" : "unreachable",
            h.listening() ? "ok" : "reconnecting", h.recoveryDone() ? "done" : "running"),
        h.details());
    return Response.status(h.ok() ? 200 : 503).entity(body).build();
  }
}
