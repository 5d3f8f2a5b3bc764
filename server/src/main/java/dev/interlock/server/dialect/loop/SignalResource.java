package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.service.engine.SignalService;
import dev.interlock.server.service.engine.SignalService.NewSignal;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/**
 * {@code POST /api/signals}: any caller with {@code loop:write} reports an event; it becomes a
 * signal and a triage issue of type {@code signal} in one transaction. Invalid fields are
 * Loop's 422; a body that is no JSON object is 400.
 */
@Path("/api/signals")
@Produces(MediaType.APPLICATION_JSON)
public final class SignalResource {

  static final int MAX_SOURCE = 100;
  static final int MAX_TYPE = 100;
  static final int MAX_SOURCE_ID = 500;

  private final SignalService signals;
  private final SignalViews views;
  private final JsonBodies bodies;

  SignalResource(SignalService signals, SignalViews views, JsonBodies bodies) {
    this.signals = signals;
    this.views = views;
    this.bodies = bodies;
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response ingest(@Auth Caller caller, InputStream body) {
    return Response.status(Response.Status.CREATED).entity(views.ingested(
        signals.ingest(caller.ownerId(), signal(bodies.object(body)), null))).build();
  }

  /** A signal body read and checked (422 on a bad field); shared with {@code LoopTools}. */
  static NewSignal signal(ObjectNode b) {
    String source = required(b, "source", MAX_SOURCE);
    String type = required(b, "type", MAX_TYPE);
    String severity = required(b, "severity", 20);
    if (!SignalService.SEVERITIES.contains(severity)) {
      throw invalid("severity must be one of " + String.join(", ", SignalService.SEVERITIES));
    }
    JsonNode payload = b.get("payload");
    if (payload == null || payload.isNull()) {
      throw invalid("payload is required");
    }
    if (!payload.isObject()) {
      throw invalid("payload must be a JSON object");
    }
    String sourceId = optional(b, "sourceId", MAX_SOURCE_ID);
    String projectId = optional(b, "projectId", MAX_SOURCE_ID);
    return new NewSignal(source, sourceId, type, severity, (ObjectNode) payload,
        projectId, SignalService.titleOf(source, type, payload));
  }

  private static String required(ObjectNode b, String field, int max) {
    String value = optional(b, field, max);
    if (value == null || value.isBlank()) {
      throw invalid(field + " is required");
    }
    return value;
  }

  private static String optional(ObjectNode b, String field, int max) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(field + " must be a string");
    }
    if (v.asText().length() > max) {
      throw invalid(field + " must be at most " + max + " characters");
    }
    return v.asText();
  }

  static Refusal invalid(String message) {
    return new Refusal(422, "validation_error", message);
  }
}
