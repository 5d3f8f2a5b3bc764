package dev.interlock.server.dialect.loopgate;

import dev.interlock.server.wire.Questions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.dialect.loopgate.LoopgateInput;
import dev.interlock.server.dialect.loopgate.LoopgateViews;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.http.LongPoll;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.SessionService;
import dev.interlock.model.HitlSessionRow;
import dev.interlock.model.InterruptRow;
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
import java.util.Locale;
import java.util.Set;

/**
 * The Loopgate dialect: agent sessions and human-in-the-loop requests under {@code /hitl}.
 * Every request is an interrupt in the core (one workflow, enforced timeout, callback),
 * visible to every other dialect of the same owner.
 */
@Path("/hitl")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class HitlResource {

  private final InterruptService interrupts;
  private final LongPoll longPoll;
  private final SessionService sessions;
  private final LoopgateViews views;
  private final JsonBodies bodies;
  private final Clock clock;
  private final int maxWaitSeconds;
  private final long maxTimeoutSeconds;

  public HitlResource(InterruptService interrupts, LongPoll longPoll, SessionService sessions,
      LoopgateViews views, JsonBodies bodies, Clock clock, int maxWaitSeconds,
      long maxTimeoutSeconds) {
    this.interrupts = interrupts;
    this.longPoll = longPoll;
    this.sessions = sessions;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
    this.maxWaitSeconds = maxWaitSeconds;
    this.maxTimeoutSeconds = maxTimeoutSeconds;
  }

  @POST
  @Path("register")
  @RolesAllowed("request:create")
  public ObjectNode register(@Auth Caller caller, InputStream body) {
    ObjectNode in = bodies.object(body);
    String sessionId = JsonBodies.limit(JsonBodies.requiredText(in, "session_id"), "session_id", 256);
    String clientId = JsonBodies.limit(JsonBodies.requiredText(in, "client_id"), "client_id", 256);
    Long telegramId = JsonBodies.optionalLong(in, "telegram_id");
    HitlSessionRow session = sessions.register(caller, sessionId, clientId,
        telegramId == null || telegramId == 0 ? null : telegramId);
    ObjectNode out = views.ok("Session registered successfully");
    out.put("session_id", session.sessionId());
    return out;
  }

  @POST
  @Path("request")
  @RolesAllowed("request:create")
  public ObjectNode request(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    LoopgateInput.NewRequest request = LoopgateInput.request(bodies.object(body), "loopgate",
        idempotencyKey, clock.instant(), maxTimeoutSeconds);
    sessions.requireActive(caller, request.sessionId());
    InterruptRow row = interrupts.create(caller, request.command()).interrupt();
    return views.created(row);
  }

  /**
   * {@code wait=N} long-polls up to N seconds for the request to complete; {@link LongPoll}
   * says how every such wait ends.
   */
  @GET
  @Path("poll")
  @RolesAllowed("request:read")
  public void poll(@Auth Caller caller, @QueryParam("request_id") String requestId,
      @QueryParam("wait") String wait, @Context HttpServletRequest request,
      @Suspended AsyncResponse response) {
    if (requestId == null || requestId.isBlank()) {
      throw new InvalidRequest("Missing request_id parameter");
    }
    longPoll.answer(response, request, caller, requestId.trim(),
        Duration.ofSeconds(waitSeconds(wait)), views::poll);
  }

  @GET
  @Path("status")
  @RolesAllowed("request:read")
  public ObjectNode status(@Auth Caller caller, @QueryParam("session_id") String sessionId) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new InvalidRequest("Missing session_id parameter");
    }
    return views.session(sessions.get(caller, sessionId));
  }

  @POST
  @Path("deactivate")
  @RolesAllowed("request:create")
  public ObjectNode deactivate(@Auth Caller caller, InputStream body) {
    ObjectNode in = bodies.object(body);
    sessions.deactivate(caller, JsonBodies.requiredText(in, "session_id"));
    return views.ok("Session deactivated successfully");
  }

  /** The caller's pending requests, whichever dialect created them, newest first. */
  @GET
  @Path("pending")
  @RolesAllowed("request:read")
  public ObjectNode pending(@Auth Caller caller) {
    return views.pending(interrupts.pending(caller, 500));
  }

  @POST
  @Path("cancel")
  @RolesAllowed("request:decide")
  public ObjectNode cancel(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    ObjectNode in = bodies.object(body);
    interrupts.cancel(caller, JsonBodies.requiredText(in, "request_id"), null, idempotencyKey);
    return views.ok("Request canceled successfully");
  }

  /**
   * Interlock extension: a person answers a request with one of its options or free text.
   * {@code approved} defaults to false for rejecting answers (reject, deny, cancel, no, ...).
   */
  @POST
  @Path("respond")
  @RolesAllowed("request:decide")
  public ObjectNode respond(@Auth Caller caller,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    ObjectNode in = bodies.object(body);
    String requestId = JsonBodies.requiredText(in, "request_id");
    interrupts.get(caller, requestId); // 404 before 400 for requests the caller cannot see
    String answer = JsonBodies.limit(JsonBodies.requiredText(in, "response"), "response", 10_000);
    JsonNode approvedNode = in.get("approved");
    boolean approved;
    if (approvedNode == null || approvedNode.isNull()) {
      approved = !Questions.isRejection(answer);
    } else if (approvedNode.isBoolean()) {
      approved = approvedNode.asBoolean();
    } else {
      throw new InvalidRequest("approved must be true or false");
    }
    InterruptRow row = interrupts.decide(caller, requestId,
        approved ? Decision.APPROVED : Decision.REJECTED, null, null, answer, idempotencyKey);
    ObjectNode out = views.poll(row);
    out.put("success", true);
    return out;
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
