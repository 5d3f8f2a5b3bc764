package dev.interlock.server.auth;

import dev.interlock.model.InterruptRow;
import dev.interlock.store.ServerSecretDao;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Review links: {@code <base>/review/<id>?token=<token>}, where the token proves that this
 * server handed the link out for that interrupt, names who it was handed to (its audience,
 * recorded as the decider) and stops working at a set time.
 *
 * <p>A token is {@code <expiry epoch seconds>.<audience, base64url>.<MAC, base64url>}; the
 * MAC is HMAC-SHA256 over the interrupt id, audience and expiry, truncated to 128 bits, with
 * a server secret. The interrupt id is not in the token but in the MAC, so a token is
 * useless on any other interrupt. Tokens are deterministic: the same interrupt renders the
 * same link every time, and nothing about links is stored.
 *
 * <p>The same key also signs the anti-CSRF tokens of the review page and dashboard forms.
 */
public final class ReviewLinks {

  private static final Logger log = LoggerFactory.getLogger(ReviewLinks.class);

  static final String SECRET_NAME = "review_link_secret";
  static final int MIN_SECRET = 32;
  static final int MAX_AUDIENCE = 64;
  /** Who a link is for when the interrupt names no end user. */
  public static final String DEFAULT_AUDIENCE = "reviewer";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** What checking a token found. */
  public enum Verdict {
    VALID,
    /** Signed by us for this interrupt, but past its expiry. */
    EXPIRED,
    /** Malformed, tampered with, signed with another key or for another interrupt. */
    INVALID
  }

  public record Check(Verdict verdict, String audience, Instant expiresAt) {
    static final Check INVALID = new Check(Verdict.INVALID, null, null);

    public boolean valid() {
      return verdict == Verdict.VALID;
    }
  }

  private final SecretKeySpec key;
  private final String baseUrl;
  private final Duration grace;
  private final Clock clock;

  public ReviewLinks(String secret, String baseUrl, Duration grace, Clock clock) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.grace = grace;
    this.clock = clock;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The link every dialect hands out for an interrupt. */
  public String url(InterruptRow row) {
    return baseUrl + "/review/" + row.id() + "?token=" + token(row);
  }

  /** The default token: for the interrupt's end user, valid until expiry plus the grace. */
  public String token(InterruptRow row) {
    return token(row.id(), audienceOf(row), row.expiresAt().plus(grace));
  }

  public static String audienceOf(InterruptRow row) {
    String user = row.userId();
    if (user == null || user.isBlank()) {
      return DEFAULT_AUDIENCE;
    }
    return user.length() > MAX_AUDIENCE ? user.substring(0, MAX_AUDIENCE) : user;
  }

  public String token(String interruptId, String audience, Instant expiresAt) {
    long exp = expiresAt.getEpochSecond();
    String aud = B64.encodeToString(audience.getBytes(StandardCharsets.UTF_8));
    return exp + "." + aud + "." + mac(interruptId, audience, exp);
  }

  public Check check(String interruptId, String token) {
    if (interruptId == null || token == null || token.length() > 300) {
      return Check.INVALID;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Check.INVALID;
    }
    long exp;
    String audience;
    try {
      exp = Long.parseLong(parts[0]);
      audience = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Check.INVALID;
    }
    String expected = mac(interruptId, audience, exp);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        parts[2].getBytes(StandardCharsets.US_ASCII))) {
      return Check.INVALID;
    }
    Instant expiresAt = Instant.ofEpochSecond(exp);
    return new Check(clock.instant().isBefore(expiresAt) ? Verdict.VALID : Verdict.EXPIRED,
        audience, expiresAt);
  }

  /**
   * An anti-CSRF token for a form: bound to what it acts on ({@code scope}, e.g. an
   * interrupt id) and to who holds the page ({@code holder}: a review token, or a session).
   */
  public String csrf(String scope, String holder) {
    return sign("csrf\n" + scope + "\n" + sha256(holder));
  }

  public boolean csrfMatches(String scope, String holder, String presented) {
    if (presented == null || holder == null) {
      return false;
    }
    return MessageDigest.isEqual(csrf(scope, holder).getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(String interruptId, String audience, long exp) {
    return sign("review\n" + interruptId + "\n" + audience + "\n" + exp);
  }

  private String sign(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] full = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(java.util.Arrays.copyOf(full, 16));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The signing secret: the configured one; else one generated on the first start and kept
   * in {@code server_secrets}. Unlike the login-token secret this needs no configuration
   * with an external database: the table is shared by every instance of a deployment and
   * the first writer wins, so all instances sign alike.
   */
  public static String secret(String configured, Jdbi jdbi) {
    String secret = configured == null ? "" : configured.trim();
    if (!secret.isEmpty()) {
      if (secret.length() < MIN_SECRET) {
        throw new IllegalArgumentException("review.secret (INTERLOCK_REVIEW_SECRET) must be at"
            + " least " + MIN_SECRET + " characters; generate one with: openssl rand -hex 32");
      }
      return secret;
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String generated = HexFormat.of().formatHex(random);
    return jdbi.withExtension(ServerSecretDao.class, dao -> {
      if (dao.insertIfAbsent(SECRET_NAME, generated) == 1) {
        log.info("generated the secret that signs review links; it is kept in the database");
      }
      return dao.find(SECRET_NAME).orElseThrow();
    });
  }
}
