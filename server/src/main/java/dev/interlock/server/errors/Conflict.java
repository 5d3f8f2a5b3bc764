package dev.interlock.server.errors;

public final class Conflict extends InterlockException {

  public Conflict(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String code() {
    return "conflict";
  }
}
