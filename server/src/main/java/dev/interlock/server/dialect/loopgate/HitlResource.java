package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.http.LongPoll;
import dev.interlock.server.service.InterruptId;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.SessionService;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.workflows.Decision;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;

/**
 * The Loopgate dialect: agent sessions and human-in-the-loop requests under {@code /hitl}.
 * Every request is an interrupt in the core (one workflow, enforced timeout, callback),
 * visible to every other dialect of the same owner.
 */
@Path("/hitl")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class HitlResource {

  /** At most this many requests in the pending list. */
  static final int PENDING_LIMIT = 500;
  static final String CANCELED = "Request canceled successfully";

  private final InterruptService interrupts;
  private final LongPoll longPoll;
  private final SessionService sessions;
  private final JsonBodies bodies;
  private final Clock clock;
  private final int maxWaitSeconds;
  private final long maxTimeoutSeconds;

  private final java.util.function.Function<Caller, java.util.Optional<String>> sessionOwner;

  public HitlResource(InterruptService interrupts, LongPoll longPoll, SessionService sessions,
      JsonBodies bodies, Clock clock, int maxWaitSeconds, long maxTimeoutSeconds,
      java.util.function.Function<Caller, java.util.Optional<String>> sessionOwner) {
    this.sessionOwner = sessionOwner;
    this.interrupts = interrupts;
    this.longPoll = longPoll;
    this.sessions = sessions;
    this.bodies = bodies;
    this.clock = clock;
    this.maxWaitSeconds = maxWaitSeconds;
    this.maxTimeoutSeconds = maxTimeoutSeconds;
  }

  @POST
  @Path("register")
  @RolesAllowed("request:create")
  public LoopgateViews.Registered register(@Auth Caller caller, InputStream body) {
    LoopgateInput.NewSession session =
        bodies.read(body, LoopgateInput.SessionRegistration.class).validated();
    return LoopgateViews.Registered.of(sessions.register(caller, session.sessionId(),
        session.clientId(), session.telegramId()));
  }

  @POST
  @Path("request")
  @RolesAllowed("request:create")
  public LoopgateViews.Created request(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    LoopgateInput.NewRequest request = bodies.read(body, LoopgateInput.RequestBody.class)
        .validated(idempotencyKey, clock.instant(), maxTimeoutSeconds);
    sessions.requireActive(caller, request.sessionId());
    InterruptRow row = interrupts.create(caller,
        request.command().withAssignee(sessionOwner.apply(caller).orElse(null))).interrupt();
    return LoopgateViews.Created.of(row);
  }

  /**
   * {@code wait=N} long-polls up to N seconds for the request to complete; {@link LongPoll}
   * says how every such wait ends.
   */
  @GET
  @Path("poll")
  @RolesAllowed("request:read")
  public void poll(@Auth Caller caller, @QueryParam("request_id") InterruptId requestId,
      @QueryParam("wait") String wait, @Context HttpServletRequest request,
      @Suspended AsyncResponse response) {
    if (requestId == null || requestId.value().isBlank()) {
      throw new InvalidRequest("Missing request_id parameter");
    }
    longPoll.answer(response, request, caller, requestId.value().trim(),
        Duration.ofSeconds(waitSeconds(wait)), LoopgateViews.Poll::of);
  }

  @GET
  @Path("status")
  @RolesAllowed("request:read")
  public LoopgateViews.Session status(@Auth Caller caller,
      @QueryParam("session_id") String sessionId) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new InvalidRequest("Missing session_id parameter");
    }
    return LoopgateViews.Session.of(sessions.get(caller, sessionId));
  }

  @POST
  @Path("deactivate")
  @RolesAllowed("request:create")
  public LoopgateViews.Ok deactivate(@Auth Caller caller, InputStream body) {
    sessions.deactivate(caller, bodies.read(body, LoopgateInput.SessionRef.class).validated());
    return LoopgateViews.Ok.of("Session deactivated successfully");
  }

  /** The caller's pending requests, whichever dialect created them, newest first. */
  @GET
  @Path("pending")
  @RolesAllowed("request:read")
  public LoopgateViews.Pending pending(@Auth Caller caller) {
    return LoopgateViews.Pending.of(interrupts.pending(caller, PENDING_LIMIT));
  }

  @POST
  @Path("cancel")
  @RolesAllowed("request:decide")
  public LoopgateViews.Ok cancel(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    String requestId = bodies.read(body, LoopgateInput.RequestRef.class).validated();
    interrupts.cancel(caller, requestId, null, idempotencyKey);
    return LoopgateViews.Ok.of(CANCELED);
  }

  /**
   * Interlock extension: a person answers a request with one of its options or free text.
   * {@code approved} defaults to false for rejecting answers (reject, deny, cancel, no, ...).
   * The request is looked up before the answer is checked: 404 before 400 for requests the
   * caller cannot see.
   */
  @POST
  @Path("respond")
  @RolesAllowed("request:decide")
  public LoopgateViews.Answered respond(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    ObjectNode in = bodies.object(body);
    String requestId = bodies.bind(in, LoopgateInput.RequestRef.class).validated();
    interrupts.get(caller, requestId);
    LoopgateInput.Answer answer = bodies.bind(in, LoopgateInput.Answer.class);
    Decision decision = answer.validated();
    InterruptRow row = interrupts.decide(caller, requestId, decision, null, null,
        answer.response(), idempotencyKey);
    return LoopgateViews.Answered.of(row);
  }

  private int waitSeconds(String wait) {
    if (wait == null || wait.isBlank()) {
      return 0;
    }
    try {
      int seconds = Integer.parseInt(wait.trim());
      if (seconds < 0) {
        throw new InvalidRequest("wait must not be negative");
      }
      return Math.min(seconds, maxWaitSeconds);
    } catch (NumberFormatException e) {
      throw new InvalidRequest("wait must be a whole number of seconds");
    }
  }
}
