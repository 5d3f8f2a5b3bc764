package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Loopgate's key management, {@code /api/user/apikeys}: a logged-in user creates, lists and
 * revokes its own keys. Only login tokens are accepted here, so a leaked API key cannot
 * mint more keys. Body extensions on create: {@code scopes} (default: every request and
 * webhook scope) and {@code rate_limit} (requests per minute; absent, null or 0: none).
 */
@Path("/api/user/apikeys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class ApiKeyResource {

  static final int MAX_LABEL = 200;
  static final int MAX_RATE_LIMIT = 1_000_000;

  private final ApiKeys keys;
  private final ApiKeyViews views;
  private final JsonBodies bodies;
  private final Clock clock;

  public ApiKeyResource(ApiKeys keys, ApiKeyViews views, JsonBodies bodies, Clock clock) {
    this.keys = keys;
    this.views = views;
    this.bodies = bodies;
    this.clock = clock;
  }

  /**
   * {@code {label?, expires_at?, scopes?, rate_limit?}}; the whole body is optional.
   * {@code scopes} and {@code rate_limit} are read by the validator rather than bound, so
   * that their messages stay Loopgate's and a rate written {@code 30.0} is still 30.
   */
  record KeyRequest(
      String label,
      @JsonProperty("expires_at") String expiresAt,
      JsonNode scopes,
      @JsonProperty("rate_limit") JsonNode rateLimit) {

    NewKey validated(Instant now) {
      String checkedLabel = JsonBodies.limit(label, "label", MAX_LABEL);
      Instant expires = ApiKeyResource.expiresAt(expiresAt, now);
      Set<String> checkedScopes = ApiKeyResource.scopes(scopes);
      Long rate = LoopgateInput.wholeNumber(rateLimit, "rate_limit");
      if (rate != null && rate > MAX_RATE_LIMIT) {
        throw new InvalidRequest("rate_limit must be at most " + MAX_RATE_LIMIT + " per minute");
      }
      return new NewKey(checkedLabel, expires, checkedScopes,
          rate == null || rate <= 0 ? null : rate.intValue());
    }
  }

  /** A key to issue; a null rate limit is none. */
  record NewKey(String label, Instant expiresAt, Set<String> scopes, Integer rateLimit) {}

  @POST
  public Response create(@Auth Caller caller, InputStream body) {
    requireUser(caller);
    NewKey key = bodies.readOptional(body, KeyRequest.class).validated(clock.instant());
    ApiKeys.Issued issued = keys.issue(caller, key.label(), key.expiresAt(),
        key.scopes(), key.rateLimit());
    return Response.status(Response.Status.CREATED).entity(views.created(issued)).build();
  }

  @GET
  public List<ApiKeyViews.KeyView> list(@Auth Caller caller) {
    requireUser(caller);
    return views.list(keys.list(caller.ownerId()));
  }

  @DELETE
  @Path("{keyId}")
  public ApiKeyViews.Message revoke(@Auth Caller caller, @PathParam("keyId") String keyId) {
    requireUser(caller);
    String id;
    try {
      id = UUID.fromString(keyId).toString();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequest("key_id must be a UUID");
    }
    keys.revoke(caller.ownerId(), id);
    return new ApiKeyViews.Message("API key revoked successfully");
  }

  private static void requireUser(Caller caller) {
    if (!caller.isUser()) {
      throw new Unauthorized("API keys are managed with a login token: POST /api/auth/login,"
          + " then send Authorization: Bearer <token>");
    }
    if (!caller.hasScope(Scopes.ADMIN)) {
      throw new Forbidden("Only an admin of this workspace manages its API keys");
    }
  }

  private static Instant expiresAt(String text, Instant now) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Instant at;
    try {
      // RFC 3339 allows a lower-case t and z; ISO_OFFSET_DATE_TIME wants them upper-case.
      at = OffsetDateTime.parse(text.trim().toUpperCase(Locale.ROOT),
          DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidRequest(
          "expires_at must be an RFC 3339 date-time such as 2025-12-31T23:59:59Z");
    }
    if (!at.isAfter(now)) {
      throw new InvalidRequest("expires_at must be in the future");
    }
    return at;
  }

  private static Set<String> scopes(JsonNode node) {
    if (node == null || node.isNull()) {
      return Scopes.DEFAULT_FOR_USER_KEYS;
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new InvalidRequest("scopes must be a non-empty array of: " + String.join(", ", Scopes.ALL));
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (JsonNode s : node) {
      if (!s.isTextual() || !Scopes.isKnown(s.asText())) {
        String shown = s.toString().length() > 40 ? s.toString().substring(0, 40) + "..." : s.toString();
        throw new InvalidRequest(
            "unknown scope " + shown + "; known scopes: " + String.join(", ", Scopes.ALL));
      }
      scopes.add(s.asText());
    }
    return scopes;
  }
}
