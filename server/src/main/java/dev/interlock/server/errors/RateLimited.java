package dev.interlock.server.errors;

/** The caller has used up its requests for the minute (an API key, or logins from an address). */
public final class RateLimited extends InterlockException {

  private final long retryAfterSeconds;

  /** Refused by a limit whose headers a filter sets (the key's {@code X-RateLimit-*}). */
  public RateLimited() {
    this(0);
  }

  /** Refused; the response says {@code Retry-After: retryAfterSeconds} (when positive). */
  public RateLimited(long retryAfterSeconds) {
    super("Rate limit exceeded");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public int status() {
    return 429;
  }

  @Override
  public String code() {
    return "rate_limited";
  }
}
