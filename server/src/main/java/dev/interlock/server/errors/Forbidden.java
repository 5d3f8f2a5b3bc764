package dev.interlock.server.errors;

public final class Forbidden extends InterlockException {

  public Forbidden(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 403;
  }

  @Override
  public String code() {
    return "forbidden";
  }
}
