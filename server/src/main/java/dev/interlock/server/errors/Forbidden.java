package dev.interlock.server.errors;

public final class Forbidden extends InterlockException {

  /**
   * Request property naming the scope a caller lacked, set by the authorizer so that the
   * 403 Jersey raises for {@code @RolesAllowed} can say which scope is missing.
   */
  public static final String MISSING_SCOPE = "dev.interlock.missingScope";

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
