package dev.interlock.server.errors;

public final class NotFound extends InterlockException {

  public NotFound(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String code() {
    return "not_found";
  }
}
