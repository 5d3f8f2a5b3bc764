package dev.interlock.server.dialect.agentgate;

import dev.interlock.model.PolicyRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.dialect.agentgate.AgentGateInput.PolicyBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.SimulateBody;
import dev.interlock.server.dialect.agentgate.AgentGateViews.PolicyList;
import dev.interlock.server.dialect.agentgate.AgentGateViews.PolicyView;
import dev.interlock.server.dialect.agentgate.AgentGateViews.Simulation;
import dev.interlock.server.service.PolicyId;
import dev.interlock.server.service.PolicyService;
import dev.interlock.server.service.PolicyService.PolicyCommand;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/** AgentGate policies ({@code admin} scope). */
@Path("/api/policies")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed("admin")
public final class PolicyResource {

  private final PolicyService policies;
  private final AgentGateViews views;
  private final JsonBodies bodies;

  public PolicyResource(PolicyService policies, AgentGateViews views, JsonBodies bodies) {
    this.policies = policies;
    this.views = views;
    this.bodies = bodies;
  }

  /** In evaluation order (priority ascending), paged as AgentGate pages it. */
  @GET
  public PolicyList list(@Auth Caller caller, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    AgentGateInput.Paging page = AgentGateInput.paging(limit, offset);
    return views.policies(policies.page(caller, page.limit(), page.offset()));
  }

  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    PolicyCommand command = bodies.read(body, PolicyBody.class).command(null);
    return Response.status(Response.Status.CREATED).entity(views.policy(policies.create(caller, command)))
        .build();
  }

  /** What the current policies would decide for a request body; creates nothing. */
  @POST
  @Path("simulate")
  public Simulation simulate(@Auth Caller caller, InputStream body) {
    SimulateBody in = bodies.read(body, SimulateBody.class).validated();
    return views.simulation(policies.simulate(caller, in.action(), in.urgency(), in.params(),
        in.context()));
  }

  @GET
  @Path("{id}")
  public PolicyView get(@Auth Caller caller, @PathParam("id") PolicyId id) {
    return views.policy(policies.get(caller, id.value()));
  }

  /**
   * Replaces the given fields (fields left out keep their value); bumps the version. An
   * unknown policy is a 404 before its body is read.
   */
  @PUT
  @Path("{id}")
  public PolicyView update(@Auth Caller caller, @PathParam("id") PolicyId id, InputStream body) {
    PolicyRow current = policies.get(caller, id.value());
    PolicyCommand command = bodies.read(body, PolicyBody.class).command(current);
    return views.policy(policies.update(caller, id.value(), command));
  }

  @PATCH
  @Path("{id}")
  public PolicyView patch(@Auth Caller caller, @PathParam("id") PolicyId id, InputStream body) {
    return update(caller, id, body);
  }

  @DELETE
  @Path("{id}")
  public Response delete(@Auth Caller caller, @PathParam("id") PolicyId id) {
    policies.delete(caller, id.value());
    return Response.noContent().build();
  }
}
