package dev.interlock.server.errors;

public final class TemporarilyUnavailable extends InterlockException {

  public TemporarilyUnavailable(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "unavailable";
  }
}
