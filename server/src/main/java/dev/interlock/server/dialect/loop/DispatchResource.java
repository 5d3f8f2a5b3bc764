package dev.interlock.server.dialect.loop;

import dev.interlock.model.engine.ScoredIssue;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.engine.DispatchService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Loop's dispatch: {@code GET /api/dispatch/next} claims the best unblocked issue (with a
 * lease; 204 when there is none), {@code GET /api/dispatch/queue} shows the queue scored and
 * sorted. Claiming is a write ({@code loop:write}); the queue a read.
 */
@Path("/api/dispatch")
@Produces(MediaType.APPLICATION_JSON)
public final class DispatchResource {

  /** The queue's default page size, as Loop's document has it (other lists: 20). */
  static final String QUEUE_DEFAULT_LIMIT = "50";

  private final DispatchService dispatch;
  private final DispatchViews views;

  DispatchResource(DispatchService dispatch, DispatchViews views) {
    this.dispatch = dispatch;
    this.views = views;
  }

  @GET
  @Path("next")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response next(@Auth Caller caller, @QueryParam("projectId") String projectId) {
    return dispatch.next(caller, blankToNull(projectId))
        .map(claim -> Response.ok(views.claim(claim, dispatch.lease())).build())
        .orElseGet(() -> Response.noContent().build());
  }

  @GET
  @Path("queue")
  @RolesAllowed(Scopes.LOOP_READ)
  public Response queue(@Auth Caller caller, @QueryParam("projectId") String projectId,
      @QueryParam("page") String page, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    Paging paging = Paging.of(page, limit == null || limit.isBlank() ? QUEUE_DEFAULT_LIMIT
        : limit, offset);
    Page<ScoredIssue> queue = dispatch.queue(caller, blankToNull(projectId), paging.limit(),
        paging.offset());
    return Response.ok(views.loop().list(queue.items().stream().map(views::queued).toList(),
        queue.total())).build();
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
