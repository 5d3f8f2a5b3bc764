package dev.interlock.server.dialect.loopin;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.dialect.loopin.LoopinViews.CancelledInterrupt;
import dev.interlock.server.dialect.loopin.LoopinViews.DecidedInterrupt;
import dev.interlock.server.dialect.loopin.LoopinViews.InterruptEvent;
import dev.interlock.server.dialect.loopin.LoopinViews.PendingInterrupt;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.http.LongPoll;
import dev.interlock.server.service.Created;
import dev.interlock.server.service.InterruptId;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The LoopIn dialect: {@code /interrupts}. Scopes: create needs {@code request:create};
 * reads need {@code request:read}; decide and cancel need {@code request:decide}.
 */
@Path("/interrupts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class InterruptResource {

  private final InterruptService interrupts;
  private final LongPoll longPoll;
  private final LoopinViews views;
  private final JsonBodies bodies;
  private final Clock clock;
  private final int maxWaitSeconds;
  private final long maxExpiresIn;

  public InterruptResource(InterruptService interrupts, LongPoll longPoll, LoopinViews views,
      JsonBodies bodies, Clock clock, int maxWaitSeconds, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.longPoll = longPoll;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
    this.maxWaitSeconds = maxWaitSeconds;
    this.maxExpiresIn = maxExpiresIn;
  }

  @POST
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public Response create(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      InputStream body) {
    Created created = interrupts.create(caller, bodies.read(body, CreateInterruptRequest.class)
        .validate("loopin", idempotencyKey, clock.instant(), maxExpiresIn));
    Response.ResponseBuilder r = Response.status(Response.Status.CREATED)
        .entity(views.seenBy(caller).created(created.interrupt()));
    if (created.replayed()) {
      r.header("Idempotent-Replayed", "true");
    }
    return r.build();
  }

  /**
   * {@code ?wait=N} long-polls up to N seconds (at most 60) for the status to leave pending;
   * {@link LongPoll} says how every such wait ends.
   */
  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.REQUEST_READ)
  public void get(@Auth Caller caller, @PathParam("id") InterruptId id,
      @QueryParam("wait") String wait, @Context HttpServletRequest request,
      @Suspended AsyncResponse response) {
    longPoll.answer(response, request, caller, id.value(), Duration.ofSeconds(waitSeconds(wait)),
        views.seenBy(caller)::interrupt);
  }

  @POST
  @Path("{id}/decide")
  @RolesAllowed(Scopes.REQUEST_DECIDE)
  public DecidedInterrupt decide(@Auth Caller caller, @PathParam("id") InterruptId id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    interrupts.get(caller, id.value()); // 404 before 400 for ids the caller cannot see
    DecideInterruptRequest.Verdict v = bodies.read(body, DecideInterruptRequest.class).validate();
    return views.decided(interrupts.decide(caller, id.value(), v.decision(), v.reason(),
        v.modifiedParams(), idempotencyKey));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.REQUEST_DECIDE)
  public CancelledInterrupt cancel(@Auth Caller caller, @PathParam("id") InterruptId id,
      @HeaderParam("Idempotency-Key") String idempotencyKey) {
    return views.cancelled(interrupts.cancel(caller, id.value(), null, idempotencyKey));
  }

  /** Interlock extension: the interrupt's audit trail, oldest first. */
  @GET
  @Path("{id}/events")
  @RolesAllowed(Scopes.REQUEST_READ)
  public List<InterruptEvent> events(@Auth Caller caller, @PathParam("id") InterruptId id) {
    return views.events(interrupts.events(caller, id.value()));
  }

  @GET
  @Path("pending/{userId}")
  @RolesAllowed(Scopes.REQUEST_READ)
  public List<PendingInterrupt> pending(@Auth Caller caller,
      @PathParam("userId") String userId) {
    return views.seenBy(caller).pending(interrupts.pendingForUser(caller, userId, 500));
  }

  private int waitSeconds(String wait) {
    if (wait == null || wait.isBlank()) {
      return 0;
    }
    int seconds;
    try {
      seconds = Integer.parseInt(wait.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequest("wait must be a whole number of seconds");
    }
    if (seconds < 0) {
      throw new InvalidRequest("wait must not be negative");
    }
    return Math.min(seconds, maxWaitSeconds);
  }
}
