package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.server.auth.CredentialsAuthFilter;
import dev.interlock.server.auth.LoginThrottle;
import dev.interlock.server.auth.Users;
import dev.interlock.server.wire.JsonBodies;
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
  private final Duration sessionLifetime;
  private final boolean secureCookie;

  public AuthResource(Users users, LoginThrottle throttle, JsonBodies bodies,
      Duration sessionLifetime, boolean secureCookie) {
    this.users = users;
    this.throttle = throttle;
    this.bodies = bodies;
    this.sessionLifetime = sessionLifetime;
    this.secureCookie = secureCookie;
  }

  /** {@code {username, password}}, both required; {@link Users} holds the password rules. */
  record Credentials(String username, String password) {

    Credentials validated() {
      LoopgateInput.required(username, "username");
      LoopgateInput.required(password, "password");
      return this;
    }
  }

  /** A registered user. */
  @JsonPropertyOrder({"message", "user_id"})
  public record UserRegistered(String message, @JsonProperty("user_id") String userId) {}

  /** A login: the token, and whose it is. */
  @JsonPropertyOrder({"token", "user_id", "username"})
  public record LoggedIn(String token, @JsonProperty("user_id") String userId, String username) {}

  @POST
  @Path("register")
  public Response register(@Context HttpServletRequest request, InputStream body) {
    throttle.register(request.getRemoteAddr());
    Credentials in = bodies.read(body, Credentials.class).validated();
    UUID id = users.register(in.username(), in.password());
    return Response.status(Response.Status.CREATED)
        .entity(new UserRegistered("User registered successfully", id.toString())).build();
  }

  @POST
  @Path("login")
  public Response login(@Context HttpServletRequest request, InputStream body) {
    Credentials in = bodies.read(body, Credentials.class).validated();
    throttle.login(request.getRemoteAddr(), in.username());
    Users.Login login = users.login(in.username(), in.password());
    LoggedIn out = new LoggedIn(login.token(), login.userId(), login.username());
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
