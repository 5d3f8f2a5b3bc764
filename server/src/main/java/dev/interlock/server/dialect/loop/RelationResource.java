package dev.interlock.server.dialect.loop;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.IssueService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code DELETE /api/relations/{id}}: removes a relation and its inverse. */
@Path("/api/relations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class RelationResource {

  private final IssueService issues;

  RelationResource(IssueService issues) {
    this.issues = issues;
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    issues.unrelate(caller.ownerId(), id);
    return Response.noContent().build();
  }
}
