package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.DashboardService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Loop's dashboard API ({@code /api/dashboard/stats}, {@code activity}, {@code prompts}) over
 * the caller's workspace; reading needs {@code loop:read}.
 */
@Path("/api/dashboard")
@Produces(MediaType.APPLICATION_JSON)
public final class LoopDashboardResource {

  private final DashboardService dashboard;
  private final SignalViews views;

  LoopDashboardResource(DashboardService dashboard, SignalViews views) {
    this.dashboard = dashboard;
    this.views = views;
  }

  @GET
  @Path("stats")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode stats(@Auth Caller caller) {
    return views.stats(dashboard.stats(caller.ownerId()));
  }

  /** Chains, the latest activity first; {@code limit} (1 to 200, default 20), paged. */
  @GET
  @Path("activity")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode activity(@Auth Caller caller, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Paging window = Paging.of(page, limit, offset);
    return views.activity(dashboard.activity(caller.ownerId(), window.limit(), window.offset()));
  }

  @GET
  @Path("prompts")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode prompts(@Auth Caller caller) {
    return views.prompts(dashboard.prompts(caller.ownerId()));
  }
}
