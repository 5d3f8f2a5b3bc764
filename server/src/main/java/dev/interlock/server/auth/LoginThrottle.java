package dev.interlock.server.auth;

import dev.interlock.server.errors.RateLimited;
import java.util.Locale;

/**
 * Limits logins and registrations before any password is hashed: each costs tens of
 * milliseconds of Argon2 CPU, so without a limit a handful of clients could take the
 * server's CPU, or guess passwords at leisure. Logins are limited per client address and per
 * username (from anywhere), registrations per address; a refusal is the dialect's 429 with
 * {@code Retry-After}. A limit of 0 or less switches that one off.
 */
public final class LoginThrottle {

  private final RateLimiter limiter;
  private final int loginsPerAddress;
  private final int loginsPerUsername;
  private final int registrationsPerAddress;

  public LoginThrottle(RateLimiter limiter, int loginsPerAddress, int loginsPerUsername,
      int registrationsPerAddress) {
    this.limiter = limiter;
    this.loginsPerAddress = loginsPerAddress;
    this.loginsPerUsername = loginsPerUsername;
    this.registrationsPerAddress = registrationsPerAddress;
  }

  /** Counts a login attempt; throws {@link RateLimited} when the address or the username is over its limit. */
  public void login(String address, String username) {
    take("login-address:" + address, loginsPerAddress);
    if (username != null) {
      take("login-user:" + normalized(username), loginsPerUsername);
    }
  }

  /** Counts a registration attempt from this address. */
  public void register(String address) {
    take("register-address:" + address, registrationsPerAddress);
  }

  private void take(String bucket, int perMinute) {
    if (perMinute <= 0) {
      return;
    }
    RateLimiter.Decision decision = limiter.acquire(bucket, perMinute);
    if (!decision.allowed()) {
      throw new RateLimited(decision.resetSeconds());
    }
  }

  /** Usernames differ only in case for this purpose; a very long one is cut (it fails anyway). */
  private static String normalized(String username) {
    String lower = username.trim().toLowerCase(Locale.ROOT);
    return lower.length() > 200 ? lower.substring(0, 200) : lower;
  }
}
