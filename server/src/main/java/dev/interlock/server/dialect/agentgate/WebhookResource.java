package dev.interlock.server.dialect.agentgate;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.dialect.agentgate.AgentGateInput.NewWebhook;
import dev.interlock.server.dialect.agentgate.AgentGateInput.WebhookBody;
import dev.interlock.server.dialect.agentgate.AgentGateInput.WebhookPatch;
import dev.interlock.server.dialect.agentgate.AgentGateInput.WebhookPatchBody;
import dev.interlock.server.dialect.agentgate.AgentGateViews.DeliveryView;
import dev.interlock.server.dialect.agentgate.AgentGateViews.WebhookList;
import dev.interlock.server.dialect.agentgate.AgentGateViews.WebhookTestResult;
import dev.interlock.server.dialect.agentgate.AgentGateViews.WebhookUpdated;
import dev.interlock.server.service.WebhookId;
import dev.interlock.server.service.WebhookService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;

/** AgentGate webhooks ({@code webhook:manage} scope) and their delivery log. */
@Path("/api/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed("webhook:manage")
public final class WebhookResource {

  private final WebhookService webhooks;
  private final AgentGateViews views;
  private final JsonBodies bodies;

  public WebhookResource(WebhookService webhooks, AgentGateViews views, JsonBodies bodies) {
    this.webhooks = webhooks;
    this.views = views;
    this.bodies = bodies;
  }

  /** Every webhook of the owner, enabled or not. */
  @GET
  public WebhookList list(@Auth Caller caller) {
    return views.webhooks(webhooks.list(caller));
  }

  /** The secret (given, or generated) is in this response only. */
  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    NewWebhook in = bodies.read(body, WebhookBody.class).validated();
    return Response.status(Response.Status.CREATED)
        .entity(views.createdWebhook(webhooks.create(caller, in.url(), in.events(), in.secret())))
        .build();
  }

  /**
   * Changes {@code url}, {@code events} or {@code enabled} (AgentGate's SDK
   * {@code updateWebhook}); fields left out keep their value. Disabling stops deliveries,
   * including those still owed.
   */
  @PATCH
  @Path("{id}")
  public WebhookUpdated update(@Auth Caller caller, @PathParam("id") WebhookId id,
      InputStream body) {
    WebhookPatch patch = bodies.read(body, WebhookPatchBody.class).validated();
    return views.updatedWebhook(
        webhooks.update(caller, id.value(), patch.url(), patch.events(), patch.enabled()));
  }

  /**
   * POSTs a signed {@code test} event to the webhook's URL now and says how the receiver
   * answered: {@code success} (a 2xx), {@code status} (left out when nothing answered),
   * {@code message}. Always 200 when the test was sent; a URL the SSRF guard now refuses is
   * 400, as AgentGate answers.
   */
  @POST
  @Path("{id}/test")
  public WebhookTestResult test(@Auth Caller caller, @PathParam("id") WebhookId id) {
    return views.tested(webhooks.test(caller, id.value()));
  }

  @DELETE
  @Path("{id}")
  public Response delete(@Auth Caller caller, @PathParam("id") WebhookId id) {
    webhooks.delete(caller, id.value());
    return Response.noContent().build();
  }

  /** Newest first, each with every attempt. */
  @GET
  @Path("{id}/deliveries")
  public List<DeliveryView> deliveries(@Auth Caller caller, @PathParam("id") WebhookId id) {
    return views.deliveries(webhooks.deliveries(caller, id.value(), 100));
  }

  /** Sends a delivery's payload again as a new delivery (for example after a fix on the receiver). */
  @POST
  @Path("{id}/deliveries/{deliveryId}/replay")
  public Response replay(@Auth Caller caller, @PathParam("id") WebhookId id,
      @PathParam("deliveryId") String deliveryId) {
    return Response.status(Response.Status.CREATED)
        .entity(views.delivery(webhooks.replay(caller, id.value(), deliveryId))).build();
  }
}
