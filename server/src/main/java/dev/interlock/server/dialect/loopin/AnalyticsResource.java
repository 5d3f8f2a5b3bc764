package dev.interlock.server.dialect.loopin;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.dialect.loopin.LoopinViews.InterruptAnalytics;
import dev.interlock.server.service.InterruptService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** LoopIn's usage statistics for one end user, over the caller's interrupts only. */
@Path("/analytics")
@Produces(MediaType.APPLICATION_JSON)
public final class AnalyticsResource {

  private final InterruptService interrupts;
  private final LoopinViews views;

  public AnalyticsResource(InterruptService interrupts, LoopinViews views) {
    this.interrupts = interrupts;
    this.views = views;
  }

  @GET
  @Path("{userId}")
  @RolesAllowed(Scopes.REQUEST_READ)
  public InterruptAnalytics analytics(@Auth Caller caller, @PathParam("userId") String userId) {
    return views.analytics(userId, interrupts.analytics(caller, userId));
  }
}
