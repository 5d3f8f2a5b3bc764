package dev.interlock.server.errors;

public final class InvalidRequest extends InterlockException {

  public InvalidRequest(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String code() {
    return "bad_request";
  }
}
