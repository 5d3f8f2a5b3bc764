package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.engine.PromptBuilder;
import dev.interlock.server.service.engine.TemplateService;
import dev.interlock.server.service.engine.TemplateService.TemplateWithVersion;
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

/**
 * Loop's prompt templates: {@code /api/templates} with versions, promotion, reviews and the
 * preview of the prompt an issue would get. Reads need {@code loop:read}, writes
 * {@code loop:write}; another workspace's ids are 404.
 */
@Path("/api/templates")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class TemplateResource {

  private final TemplateService templates;
  private final PromptBuilder prompts;
  private final LoopViews views;
  private final TemplateViews shapes;
  private final JsonBodies bodies;

  TemplateResource(TemplateService templates, PromptBuilder prompts, LoopViews views,
      TemplateViews shapes, JsonBodies bodies) {
    this.templates = templates;
    this.prompts = prompts;
    this.views = views;
    this.shapes = shapes;
    this.bodies = bodies;
  }

  /** Oldest first; the workspace's Loop defaults included (given on first use). */
  @GET
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Paging paging = Paging.of(page, limit, offset);
    var found = templates.list(caller.ownerId(), paging.limit(), paging.offset());
    return views.list(found.items().stream().map(shapes::template).toList(), found.total());
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response create(@Auth Caller caller, InputStream body) {
    var draft = TemplateInput.template(bodies.object(body));
    return created(views.data(shapes.template(templates.create(caller.ownerId(), draft))));
  }

  /** The template with its {@code activeVersion}. */
  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    TemplateWithVersion t = templates.get(caller.ownerId(), id);
    return views.data(shapes.template(t.template(), t.activeVersion()));
  }

  @PATCH
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public ObjectNode update(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    var changes = TemplateInput.changes(bodies.object(body));
    return views.data(shapes.template(templates.update(caller.ownerId(), id, changes)));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    templates.delete(caller.ownerId(), id);
    return Response.noContent().build();
  }

  /** Newest version first. */
  @GET
  @Path("{id}/versions")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode versions(@Auth Caller caller, @PathParam("id") String id,
      @QueryParam("page") String page, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    Paging paging = Paging.of(page, limit, offset);
    Page<TemplateVersionRow> found = templates.versions(caller.ownerId(), id, paging.limit(),
        paging.offset());
    return views.list(found.items().stream().map(shapes::version).toList(), found.total());
  }

  @POST
  @Path("{id}/versions")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response createVersion(@Auth Caller caller, @PathParam("id") String id,
      InputStream body) {
    var draft = TemplateInput.version(bodies.object(body));
    return created(views.data(shapes.version(
        templates.createVersion(caller.ownerId(), id, draft))));
  }

  @POST
  @Path("{id}/versions/{versionId}/promote")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public ObjectNode promote(@Auth Caller caller, @PathParam("id") String id,
      @PathParam("versionId") String versionId) {
    return views.data(shapes.version(templates.promote(caller.ownerId(), id, versionId)));
  }

  /** Reviews across the template's versions, newest first. */
  @GET
  @Path("{id}/reviews")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode reviews(@Auth Caller caller, @PathParam("id") String id,
      @QueryParam("page") String page, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    Paging paging = Paging.of(page, limit, offset);
    var found = templates.reviews(caller.ownerId(), id, paging.limit(), paging.offset());
    return views.list(found.items().stream().map(shapes::review).toList(), found.total());
  }

  /** The prompt the issue would get now; claims nothing and counts no use. */
  @GET
  @Path("preview/{issueId}")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode preview(@Auth Caller caller, @PathParam("issueId") String issueId) {
    return shapes.preview(prompts.build(caller.ownerId(), issueId));
  }

  private static Response created(ObjectNode entity) {
    return Response.status(Response.Status.CREATED).entity(entity).build();
  }
}
