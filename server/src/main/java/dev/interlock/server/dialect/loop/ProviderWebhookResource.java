package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.service.engine.ProviderWebhooks;
import dev.interlock.server.service.engine.ProviderWebhooks.Delivery;
import dev.interlock.server.service.engine.ProviderWebhooks.Provider;
import dev.interlock.server.wire.JsonBodies;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /api/signals/github}, {@code sentry} and {@code posthog}: the providers' own
 * webhooks. They take no API key (no {@code @Auth} parameter, so the credentials filter, which
 * Dropwizard's {@code AuthDynamicFeature} binds only to methods that ask for a caller, never
 * runs; the same way {@code /health} and {@code /openapi} are open): each checks its
 * provider's signature or shared secret before anything is stored ({@link ProviderWebhooks}).
 * The signature covers the body exactly as sent, so the body is read here as bytes (within
 * the server's body limit) and parsed only once it is verified. 200 with the signal and its
 * issue; a redelivery stores nothing and answers 200 with what the first delivery stored.
 */
@Path("/api/signals")
@Produces(MediaType.APPLICATION_JSON)
public final class ProviderWebhookResource {

  private final ProviderWebhooks webhooks;
  private final SignalViews views;
  private final JsonBodies bodies;

  ProviderWebhookResource(ProviderWebhooks webhooks, SignalViews views, JsonBodies bodies) {
    this.webhooks = webhooks;
    this.views = views;
    this.bodies = bodies;
  }

  @POST
  @Path("github")
  public ObjectNode github(@Context HttpHeaders headers, InputStream body) {
    return receive(Provider.GITHUB, headers, body);
  }

  @POST
  @Path("sentry")
  public ObjectNode sentry(@Context HttpHeaders headers, InputStream body) {
    return receive(Provider.SENTRY, headers, body);
  }

  @POST
  @Path("posthog")
  public ObjectNode posthog(@Context HttpHeaders headers, InputStream body) {
    return receive(Provider.POSTHOG, headers, body);
  }

  private ObjectNode receive(Provider provider, HttpHeaders headers, InputStream body) {
    boolean form = headers.getMediaType() != null
        && headers.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE);
    return views.delivered(webhooks.receive(provider, new Delivery(headers::getHeaderString,
        () -> bodies.bytes(body), bytes -> form ? formPayload(bytes) : bodies.object(bytes))));
  }

  /**
   * GitHub's other content type: {@code payload=<url-encoded JSON>} (the signature covers
   * the form as sent, which the caller has already checked).
   */
  private ObjectNode formPayload(byte[] bytes) {
    for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals("payload")) {
        String decoded;
        try {
          decoded = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new InvalidRequest("Malformed form body");
        }
        return bodies.object(decoded.getBytes(StandardCharsets.UTF_8));
      }
    }
    throw new InvalidRequest("A form body must carry the event as its payload field");
  }
}
