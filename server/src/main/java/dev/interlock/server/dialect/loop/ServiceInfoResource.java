package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/**
 * {@code GET /} for JSON clients: Loop's service info ({@code {name, version}}, the version
 * being the Loop API this server speaks), plus where Interlock's health and API documents
 * are. The same path answers browsers with the dashboard (web's {@code DashboardResource}):
 * Jersey picks by {@code Accept}. This answer's media type carries a lower server quality
 * ({@code qs}), so a client that accepts both equally ({@code *}{@code /*}, or no
 * {@code Accept} at all) keeps getting the dashboard as before; one that prefers
 * {@code application/json} gets this ({@link ServiceInfoNegotiation} says when it does).
 */
@Path("/")
public final class ServiceInfoResource {

  /** Loop's API name and the version of its document that this server implements. */
  static final String NAME = "Loop API";
  static final String VERSION = "0.1.0";

  @JsonPropertyOrder({"name", "version", "service", "health", "docs"})
  public record ServiceInfo(String name, String version, String service, String health,
      String docs) {}

  private static final ServiceInfo INFO =
      new ServiceInfo(NAME, VERSION, "interlock", "/health", "/docs/api/");

  @GET
  @Produces("application/json; qs=0.5")
  public ServiceInfo info() {
    return INFO;
  }
}
