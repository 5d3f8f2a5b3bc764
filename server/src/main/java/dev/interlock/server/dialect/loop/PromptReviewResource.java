package dev.interlock.server.dialect.loop;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.PromptReviewService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/**
 * {@code POST /api/prompt-reviews}: an agent's (or a person's) review of the prompt it was
 * given. Moves the version's EWMA score and may open its improvement issue.
 */
@Path("/api/prompt-reviews")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class PromptReviewResource {

  private final PromptReviewService reviews;
  private final LoopViews views;
  private final TemplateViews shapes;
  private final JsonBodies bodies;

  PromptReviewResource(PromptReviewService reviews, LoopViews views, TemplateViews shapes,
      JsonBodies bodies) {
    this.reviews = reviews;
    this.views = views;
    this.shapes = shapes;
    this.bodies = bodies;
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response review(@Auth Caller caller, InputStream body) {
    var draft = TemplateInput.review(bodies.object(body));
    var recorded = reviews.review(caller.ownerId(), draft);
    return Response.status(Response.Status.CREATED)
        .entity(views.data(shapes.review(recorded.review()))).build();
  }
}
