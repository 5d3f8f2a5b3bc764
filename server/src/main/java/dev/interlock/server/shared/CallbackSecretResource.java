package dev.interlock.server.shared;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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

  /** The secret and how a receiver checks a signature with it. */
  @JsonPropertyOrder({"secret", "header", "algorithm", "signedPayload", "format"})
  public record CallbackSecret(String secret, String header, String algorithm,
      String signedPayload, String format) {}

  private final CallbackSecrets secrets;

  public CallbackSecretResource(CallbackSecrets secrets) {
    this.secrets = secrets;
  }

  /** The agent that asks for callbacks verifies them, so it needs to be able to create. */
  @GET
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public CallbackSecret secret(@Auth Caller caller) {
    return new CallbackSecret(secrets.forOwner(caller.ownerId()), CallbackSigner.HEADER,
        "HMAC-SHA256", "<t>.<raw request body>", "t=<unix seconds>,v1=<lowercase hex>");
  }
}
