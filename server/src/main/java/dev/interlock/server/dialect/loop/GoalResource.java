package dev.interlock.server.dialect.loop;

import static dev.interlock.server.dialect.loop.LoopInput.LONG_TEXT;
import static dev.interlock.server.dialect.loop.LoopInput.SHORT_TEXT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.EngineRules;
import dev.interlock.server.service.engine.GoalService;
import dev.interlock.server.service.engine.GoalService.GoalCommand;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/** Loop's goals ({@code /api/goals}). */
@Path("/api/goals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class GoalResource {

  private final GoalService goals;
  private final IssueViews views;
  private final JsonBodies bodies;

  GoalResource(GoalService goals, IssueViews views, JsonBodies bodies) {
    this.goals = goals;
    this.views = views;
    this.bodies = bodies;
  }

  @GET
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Paging window = Paging.of(page, limit, offset);
    return views.page(goals.list(caller.ownerId(), window.limit(), window.offset()),
        views::goal);
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response create(@Auth Caller caller, InputStream body) {
    LoopInput in = LoopInput.of(bodies.object(body));
    GoalCommand command = command(in, in.required("title", 1, 500));
    return Response.status(Response.Status.CREATED)
        .entity(views.data(views.goal(goals.create(caller.ownerId(), command)))).build();
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    return views.data(views.goal(goals.get(caller.ownerId(), id)));
  }

  @PATCH
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public ObjectNode update(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    goals.get(caller.ownerId(), id);
    LoopInput in = LoopInput.of(bodies.object(body));
    GoalCommand command = command(in, in.notNull("title", 1, 500));
    return views.data(views.goal(goals.update(caller.ownerId(), id, command)));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    goals.delete(caller.ownerId(), id);
    return Response.noContent().build();
  }

  private static GoalCommand command(LoopInput in, String title) {
    return new GoalCommand(title, in.change("description", 0, LONG_TEXT),
        in.change("metric", 0, SHORT_TEXT), in.number("targetValue"), in.number("currentValue"),
        in.change("unit", 0, SHORT_TEXT), in.oneOf("status", EngineRules.GOAL_STATUSES),
        in.change("projectId", 1, 200));
  }
}
