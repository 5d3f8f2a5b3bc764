package dev.interlock.server.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.worker.CallbackSecrets;
import dev.interlock.worker.CallbackSigner;
import dev.interlock.server.auth.Scopes;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /callbacks/secret}: the caller's secret for verifying callback signatures
 * ({@code X-Interlock-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}).
 */
@Path("/callbacks/secret")
@Produces(MediaType.APPLICATION_JSON)
public final class CallbackSecretResource {

  private final CallbackSecrets secrets;
  private final ObjectMapper json;

  public CallbackSecretResource(CallbackSecrets secrets, ObjectMapper json) {
    this.secrets = secrets;
    this.json = json;
  }

  /** The agent that asks for callbacks verifies them, so it needs to be able to create. */
  @GET
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public ObjectNode secret(@Auth Caller caller) {
    ObjectNode n = json.createObjectNode();
    n.put("secret", secrets.forOwner(caller.ownerId()));
    n.put("header", CallbackSigner.HEADER);
    n.put("algorithm", "HMAC-SHA256");
    n.put("signedPayload", "<t>.<raw request body>");
    n.put("format", "t=<unix seconds>,v1=<lowercase hex>");
    return n;
  }
}
