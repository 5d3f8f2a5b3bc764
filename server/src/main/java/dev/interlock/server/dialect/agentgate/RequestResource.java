package dev.interlock.server.dialect.agentgate;

import static dev.interlock.server.dialect.agentgate.RequestCalls.onRequest;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.dialect.agentgate.AgentGateInput.ConfirmBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.Decide;
import dev.interlock.server.dialect.agentgate.AgentGateInput.DecideBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.RequestBody;
import dev.interlock.server.dialect.agentgate.AgentGateViews.AuditEvent;
import dev.interlock.server.dialect.agentgate.AgentGateViews.Decided;
import dev.interlock.server.dialect.agentgate.AgentGateViews.QueueStats;
import dev.interlock.server.dialect.agentgate.AgentGateViews.RequestList;
import dev.interlock.server.dialect.agentgate.AgentGateViews.RequestView;
import dev.interlock.server.service.Created;
import dev.interlock.server.service.InterruptId;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;

/**
 * The AgentGate dialect's approval requests: {@code /api/requests}. A request that is not
 * there (or is another owner's) is "Request not found", as AgentGate says it.
 */
@Path("/api/requests")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class RequestResource {

  private final InterruptService interrupts;
  private final AgentGateViews views;
  private final JsonBodies bodies;
  private final Clock clock;
  private final long maxExpiresIn;

  public RequestResource(InterruptService interrupts, AgentGateViews views, JsonBodies bodies,
      Clock clock, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
    this.maxExpiresIn = maxExpiresIn;
  }

  @POST
  @RolesAllowed("request:create")
  public Response create(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      InputStream body) {
    Created created = interrupts.createSettled(caller, bodies.read(body, RequestBody.class)
        .command("agentgate", caller, idempotencyKey, clock.instant(), maxExpiresIn));
    return Response.status(Response.Status.CREATED).entity(views.request(created.interrupt())).build();
  }

  @GET
  @RolesAllowed("request:read")
  public RequestList list(@Auth Caller caller, @QueryParam("status") String status,
      @QueryParam("action") String action, @QueryParam("urgency") String urgency,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    AgentGateInput.ListQuery q = AgentGateInput.list(status, action, urgency, limit, offset);
    return views.requests(
        interrupts.list(caller, q.status(), q.action(), q.urgency(), q.limit(), q.offset()));
  }

  @GET
  @Path("queue-stats")
  @RolesAllowed("request:read")
  public QueueStats queueStats(@Auth Caller caller) {
    return views.queueStats(interrupts.queueStats(caller));
  }

  @GET
  @Path("{id}")
  @RolesAllowed("request:read")
  public RequestView get(@Auth Caller caller, @PathParam("id") InterruptId id) {
    return views.request(onRequest(() -> interrupts.get(caller, id.value())));
  }

  /** An unknown request is a 404 before its body is read, as AgentGate answers. */
  @POST
  @Path("{id}/decide")
  @RolesAllowed("request:decide")
  public Decided decide(@Auth Caller caller, @PathParam("id") InterruptId id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    onRequest(() -> interrupts.get(caller, id.value()));
    Decide d = bodies.read(body, DecideBody.class).validated();
    return views.decided(onRequest(() -> interrupts.decideAs(caller, d.actor(caller), id.value(),
        d.decision(), d.reason(), null, null, idempotencyKey)));
  }

  @POST
  @Path("{id}/confirm")
  @RolesAllowed("request:create")
  public RequestView confirm(@Auth Caller caller, @PathParam("id") InterruptId id,
      InputStream body) {
    onRequest(() -> interrupts.get(caller, id.value()));
    ConfirmBody in = bodies.read(body, ConfirmBody.class);
    return views.request(onRequest(() -> interrupts.confirm(caller, id.value(), caller.getName(),
        in.executionResult())));
  }

  @GET
  @Path("{id}/audit")
  @RolesAllowed("request:read")
  public List<AuditEvent> audit(@Auth Caller caller, @PathParam("id") InterruptId id) {
    return views.audit(onRequest(() -> interrupts.events(caller, id.value())));
  }
}
