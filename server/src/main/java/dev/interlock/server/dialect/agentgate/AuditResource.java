package dev.interlock.server.dialect.agentgate;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.dialect.agentgate.AgentGateViews.AuditActors;
import dev.interlock.server.dialect.agentgate.AgentGateViews.AuditPage;
import dev.interlock.server.service.InterruptService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * AgentGate's owner-wide audit log ({@code request:read} scope), as its server answers and
 * its SDK's {@code listAuditLogs} and {@code getAuditActors} read. Only the caller's owner's
 * requests are in it; filters that match nothing give an empty list, never a 404.
 */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed("request:read")
public final class AuditResource {

  private final InterruptService interrupts;
  private final AgentGateViews views;

  public AuditResource(InterruptService interrupts, AgentGateViews views) {
    this.interrupts = interrupts;
    this.views = views;
  }

  /** {@code {entries, pagination}}, newest first; every filter optional. */
  @GET
  public AuditPage list(@Auth Caller caller, @QueryParam("requestId") String requestId,
      @QueryParam("action") String action, @QueryParam("status") String status,
      @QueryParam("eventType") String eventType, @QueryParam("actor") String actor,
      @QueryParam("from") String from, @QueryParam("to") String to,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    return views.auditLog(interrupts.auditLog(caller, AgentGateInput.auditQuery(requestId,
        action, status, eventType, actor, from, to, limit, offset)));
  }

  /** {@code {actors}}: who appears in the caller's audit log, alphabetically. */
  @GET
  @Path("actors")
  public AuditActors actors(@Auth Caller caller) {
    return views.actors(interrupts.auditActors(caller));
  }
}
