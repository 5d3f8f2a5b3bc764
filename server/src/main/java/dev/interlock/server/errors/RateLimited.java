package dev.interlock.server.errors;

/** The caller's key has used up its requests for the sliding minute. */
public final class RateLimited extends InterlockException {

  public RateLimited() {
    super("Rate limit exceeded");
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
