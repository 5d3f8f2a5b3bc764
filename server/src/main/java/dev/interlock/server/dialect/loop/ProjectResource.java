package dev.interlock.server.dialect.loop;

import static dev.interlock.server.dialect.loop.LoopInput.LONG_TEXT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.EngineRules;
import dev.interlock.server.service.engine.ProjectService;
import dev.interlock.server.service.engine.ProjectService.ProjectCommand;
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

/** Loop's projects ({@code /api/projects}). */
@Path("/api/projects")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class ProjectResource {

  private final ProjectService projects;
  private final IssueViews views;
  private final JsonBodies bodies;

  ProjectResource(ProjectService projects, IssueViews views, JsonBodies bodies) {
    this.projects = projects;
    this.views = views;
    this.bodies = bodies;
  }

  @GET
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Paging window = Paging.of(page, limit, offset);
    return views.page(projects.list(caller.ownerId(), window.limit(), window.offset()),
        views::project);
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response create(@Auth Caller caller, InputStream body) {
    LoopInput in = LoopInput.of(bodies.object(body));
    ProjectCommand command = new ProjectCommand(in.required("name", 1, 500),
        in.change("description", 0, LONG_TEXT),
        in.oneOf("status", EngineRules.PROJECT_STATUSES),
        in.oneOf("health", EngineRules.PROJECT_HEALTHS), in.change("goalId", 1, 200));
    return Response.status(Response.Status.CREATED)
        .entity(views.data(views.project(projects.create(caller.ownerId(), command)))).build();
  }

  /** The project with its goal and its live issues counted by status (every status). */
  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    return views.data(views.projectDetail(projects.detail(caller.ownerId(), id)));
  }

  @PATCH
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public ObjectNode update(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    projects.get(caller.ownerId(), id);
    LoopInput in = LoopInput.of(bodies.object(body));
    ProjectCommand command = new ProjectCommand(in.notNull("name", 1, 500),
        in.change("description", 0, LONG_TEXT),
        in.oneOf("status", EngineRules.PROJECT_STATUSES),
        in.oneOf("health", EngineRules.PROJECT_HEALTHS), in.change("goalId", 1, 200));
    return views.data(views.project(projects.update(caller.ownerId(), id, command)));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    projects.delete(caller.ownerId(), id);
    return Response.noContent().build();
  }
}
