package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.LabelService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/** Loop's labels ({@code /api/labels}). */
@Path("/api/labels")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class LabelResource {

  private final LabelService labels;
  private final IssueViews views;
  private final JsonBodies bodies;

  LabelResource(LabelService labels, IssueViews views, JsonBodies bodies) {
    this.labels = labels;
    this.views = views;
    this.bodies = bodies;
  }

  @GET
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Paging window = Paging.of(page, limit, offset);
    return views.page(labels.list(caller.ownerId(), window.limit(), window.offset()),
        views::label);
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response create(@Auth Caller caller, InputStream body) {
    LoopInput in = LoopInput.of(bodies.object(body));
    String name = in.required("name", 1, 100);
    String color = in.required("color", 1, 50);
    return Response.status(Response.Status.CREATED)
        .entity(views.data(views.label(labels.create(caller.ownerId(), name, color)))).build();
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    labels.delete(caller.ownerId(), id);
    return Response.noContent().build();
  }
}
