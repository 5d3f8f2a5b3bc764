package dev.interlock.server.resources.agentgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.api.JsonBodies;
import dev.interlock.server.api.agentgate.AgentGateViews;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.Created;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Urgency;
import dev.interlock.workflows.Decision;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** The AgentGate dialect's approval requests: {@code /api/requests}. */
@Path("/api/requests")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class RequestResource {

  /** A request without expiresAt waits this long (AgentGate's spec sets no default). */
  static final long DEFAULT_EXPIRY_SECONDS = 24 * 3600;

  private final InterruptService interrupts;
  private final AgentGateViews views;
  private final JsonBodies bodies;
  private final Clock clock;
  private final long maxExpiresIn;

  public RequestResource(InterruptService interrupts, AgentGateViews views, JsonBodies bodies,
      Clock clock, long maxExpiresIn) {
    this.interrupts = interrupts;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
    this.maxExpiresIn = maxExpiresIn;
  }

  @POST
  @RolesAllowed("request:create")
  public Response create(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      InputStream body) {
    ObjectNode in = bodies.object(body);
    String action = JsonBodies.limit(JsonBodies.requiredText(in, "action"), "action", 10_000);
    ObjectNode params = JsonBodies.optionalObject(in, "params");
    ObjectNode context = JsonBodies.optionalObject(in, "context");
    Urgency urgency = urgency(JsonBodies.optionalText(in, "urgency"));
    Instant expiresAt = expiresAt(JsonBodies.optionalText(in, "expiresAt"));
    Created created = interrupts.createSettled(caller, CreateInterrupt.approval("agentgate",
        caller.getName(), null, action, context == null ? in.objectNode() : context,
        params == null ? in.objectNode() : params, urgency, expiresAt, null, idempotencyKey));
    return Response.status(Response.Status.CREATED).entity(views.request(created.interrupt())).build();
  }

  @GET
  @RolesAllowed("request:read")
  public ArrayNode list(@Auth Caller caller, @QueryParam("status") String status,
      @QueryParam("action") String action, @QueryParam("urgency") String urgency,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    int max = intParam("limit", limit, 50);
    if (max < 1 || max > 100) {
      throw new InvalidRequest("limit must be between 1 and 100");
    }
    int skip = intParam("offset", offset, 0);
    if (skip < 0) {
      throw new InvalidRequest("offset must not be negative");
    }
    return views.requests(interrupts.list(caller, coreStatus(status), blankToNull(action),
        urgency == null || urgency.isBlank() ? null : urgency(urgency).stored(), max, skip));
  }

  @GET
  @Path("queue-stats")
  @RolesAllowed("request:read")
  public ObjectNode queueStats(@Auth Caller caller) {
    return views.queueStats(interrupts.queueStats(caller));
  }

  @GET
  @Path("{id}")
  @RolesAllowed("request:read")
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    return views.request(interrupts.get(caller, id));
  }

  @POST
  @Path("{id}/decide")
  @RolesAllowed("request:decide")
  public ObjectNode decide(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
    interrupts.get(caller, id);
    ObjectNode in = bodies.object(body);
    String value = JsonBodies.requiredText(in, "decision");
    Decision decision = switch (value.toLowerCase(Locale.ROOT)) {
      case "approved" -> Decision.APPROVED;
      case "denied" -> Decision.REJECTED;
      default -> throw new InvalidRequest("decision must be approved or denied");
    };
    String reason = JsonBodies.limit(JsonBodies.optionalText(in, "reason"), "reason", 10_000);
    String decidedBy = JsonBodies.limit(JsonBodies.optionalText(in, "decidedBy"), "decidedBy", 256);
    String actor = decidedBy == null || decidedBy.isBlank() ? caller.getName() : decidedBy;
    return views.decided(interrupts.decideAs(caller, actor, id, decision, reason, null, null,
        idempotencyKey));
  }

  @POST
  @Path("{id}/confirm")
  @RolesAllowed("request:create")
  public ObjectNode confirm(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    interrupts.get(caller, id);
    ObjectNode in = bodies.object(body);
    JsonNode result = in.get("result");
    return views.request(interrupts.confirm(caller, id, caller.getName(),
        result == null || result.isNull() ? null : result));
  }

  @GET
  @Path("{id}/audit")
  @RolesAllowed("request:read")
  public ArrayNode audit(@Auth Caller caller, @PathParam("id") String id) {
    return views.audit(interrupts.events(caller, id));
  }

  static Urgency urgency(String value) {
    if (value == null) {
      return Urgency.NORMAL;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "low" -> Urgency.LOW;
      case "normal" -> Urgency.NORMAL;
      case "high" -> Urgency.HIGH;
      case "critical" -> Urgency.CRITICAL;
      default -> throw new InvalidRequest("urgency must be one of low, normal, high, critical");
    };
  }

  private Instant expiresAt(String value) {
    Instant now = clock.instant();
    if (value == null || value.isBlank()) {
      return now.plusSeconds(DEFAULT_EXPIRY_SECONDS);
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidRequest("expiresAt must be an ISO-8601 date-time such as 2024-01-15T11:30:00Z");
    }
    if (!at.isAfter(now)) {
      throw new InvalidRequest("expiresAt must be in the future");
    }
    if (at.isAfter(now.plusSeconds(maxExpiresIn))) {
      throw new InvalidRequest("expiresAt must be at most " + maxExpiresIn + " seconds ahead");
    }
    return at;
  }

  private static String coreStatus(String status) {
    if (status == null || status.isBlank()) {
      return null;
    }
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "pending", "approved", "expired", "cancelled" -> status.toLowerCase(Locale.ROOT);
      case "denied" -> "rejected";
      default -> throw new InvalidRequest("status must be one of pending, approved, denied, expired");
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static int intParam(String name, String value, int fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequest(name + " must be a whole number");
    }
  }
}
