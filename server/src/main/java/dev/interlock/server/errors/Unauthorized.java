package dev.interlock.server.errors;

public final class Unauthorized extends InterlockException {

  public Unauthorized(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 401;
  }

  @Override
  public String code() {
    return "unauthorized";
  }
}
