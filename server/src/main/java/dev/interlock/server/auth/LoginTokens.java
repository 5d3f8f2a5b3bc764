package dev.interlock.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.dropwizard.auth.Authenticator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The login token of a user: a JWT signed with HS256, issuer {@code loopgate} (Loopgate's
 * shape), subject and claim {@code user_id} the user's id, claim {@code username}, and an
 * expiry. As an {@link Authenticator} it answers empty for anything that is not a valid,
 * unexpired token of ours, so the next authenticator may try it.
 */
public final class LoginTokens implements Authenticator<String, Caller> {

  public static final String ISSUER = "loopgate";
  static final String USER_ID = "user_id";
  static final String USERNAME = "username";

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Duration lifetime;
  private final Clock clock;

  public LoginTokens(String secret, Duration lifetime, Clock clock) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm).withIssuer(ISSUER))
        .build(clock);
    this.lifetime = lifetime;
    this.clock = clock;
  }

  public Duration lifetime() {
    return lifetime;
  }

  public String issue(UUID userId, String username) {
    Instant now = clock.instant();
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(userId.toString())
        .withClaim(USER_ID, userId.toString())
        .withClaim(USERNAME, username)
        .withIssuedAt(now)
        .withExpiresAt(now.plus(lifetime))
        .sign(algorithm);
  }

  /** Three dot-separated parts: the shape of a JWT, which no API key of ours has. */
  public static boolean looksLikeToken(String credential) {
    int first = credential.indexOf('.');
    int second = first < 0 ? -1 : credential.indexOf('.', first + 1);
    return first > 0 && second > first + 1 && credential.indexOf('.', second + 1) < 0
        && second < credential.length() - 1;
  }

  @Override
  public Optional<Caller> authenticate(String token) {
    if (token == null || token.length() > 8192 || !looksLikeToken(token)) {
      return Optional.empty();
    }
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (JWTVerificationException e) {
      return Optional.empty(); // tampered, expired, another issuer or not a JWT at all
    }
    String subject = jwt.getSubject();
    String userId = jwt.getClaim(USER_ID).asString();
    String username = jwt.getClaim(USERNAME).asString();
    if (subject == null || username == null || (userId != null && !userId.equals(subject))) {
      return Optional.empty();
    }
    try {
      return Optional.of(Caller.user(UUID.fromString(subject).toString(), username));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
