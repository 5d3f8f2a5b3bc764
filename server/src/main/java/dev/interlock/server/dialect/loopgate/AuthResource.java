package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.auth.CredentialsAuthFilter;
import dev.interlock.server.auth.LoginThrottle;
import dev.interlock.server.auth.Users;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Duration;
import java.util.UUID;

/**
 * Loopgate's users: {@code POST /api/auth/register} and {@code POST /api/auth/login}. Open
 * without credentials. Login also sets the {@code loopat_session} cookie carrying the same
 * token, for same-origin web pages (HttpOnly, SameSite=Lax, Secure on an https base URL).
 * Both are limited per client address (and login per username) before any password is
 * hashed ({@link LoginThrottle}).
 */
@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class AuthResource {

  private final Users users;
  private final LoginThrottle throttle;
  private final JsonBodies bodies;
  private final ObjectMapper json;
  private final Duration sessionLifetime;
  private final boolean secureCookie;

  public AuthResource(Users users, LoginThrottle throttle, JsonBodies bodies, ObjectMapper json,
      Duration sessionLifetime, boolean secureCookie) {
    this.users = users;
    this.throttle = throttle;
    this.bodies = bodies;
    this.json = json;
    this.sessionLifetime = sessionLifetime;
    this.secureCookie = secureCookie;
  }

  @POST
  @Path("register")
  public Response register(@Context HttpServletRequest request, InputStream body) {
    throttle.register(request.getRemoteAddr());
    ObjectNode in = bodies.object(body);
    String username = JsonBodies.requiredText(in, "username");
    String password = JsonBodies.requiredText(in, "password");
    UUID id = users.register(username, password);
    ObjectNode out = json.createObjectNode()
        .put("message", "User registered successfully")
        .put("user_id", id.toString());
    return Response.status(Response.Status.CREATED).entity(out).build();
  }

  @POST
  @Path("login")
  public Response login(@Context HttpServletRequest request, InputStream body) {
    ObjectNode in = bodies.object(body);
    String username = JsonBodies.requiredText(in, "username");
    String password = JsonBodies.requiredText(in, "password");
    throttle.login(request.getRemoteAddr(), username);
    Users.Login login = users.login(username, password);
    ObjectNode out = json.createObjectNode()
        .put("token", login.token())
        .put("user_id", login.userId())
        .put("username", login.username());
    NewCookie session = new NewCookie.Builder(CredentialsAuthFilter.SESSION_COOKIE)
        .value(login.token())
        .path("/")
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.LAX)
        .secure(secureCookie)
        .maxAge((int) Math.min(Integer.MAX_VALUE, sessionLifetime.toSeconds()))
        .build();
    return Response.ok(out).cookie(session).build();
  }
}
