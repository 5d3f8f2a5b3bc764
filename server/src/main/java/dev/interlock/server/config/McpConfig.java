package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The MCP endpoint at {@code /mcp}. docs/configuration.md describes each key. */
public class McpConfig {

  /** false: no {@code /mcp} endpoint (the REST listing at /mcp/tools stays). */
  @JsonProperty public boolean enabled = true;

  /**
   * Browser origins allowed to call {@code /mcp} besides loopback ones and the base URL's,
   * e.g. {@code https://agents.example.com} or {@code http://example.com:*} (any port).
   * Requests without an Origin header (agents, CLIs) are not affected. Guards against DNS
   * rebinding and cross-site calls.
   */
  private List<String> allowedOrigins = List.of();

  /**
   * Host header values {@code /mcp} answers besides localhost, 127.0.0.1, [::1] and the base
   * URL's host (any port), e.g. {@code interlock.internal:8080} or {@code interlock.internal:*}.
   */
  private List<String> allowedHosts = List.of();

  /**
   * Longest a blocking tool ({@code ask_human}, {@code approval_prompt}) waits for a person.
   * Then {@code ask_human} answers that the interrupt is still pending, with its id; an
   * {@code approval_prompt} interrupt expires at this point, so nobody approves what the
   * agent no longer waits for.
   */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  public Duration maxBlockingWait = Duration.minutes(10);

  /**
   * How often a blocking tool reports progress while it waits, when the client sent a
   * progress token. Clients time a call out after some silence (many after 60 s, some
   * sooner), so at most 15 s.
   */
  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 15, unit = TimeUnit.SECONDS)
  public Duration progressInterval = Duration.seconds(10);

  @JsonProperty
  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  /** A YAML list or one comma-separated string (so one environment variable can set it). */
  @JsonProperty
  public void setAllowedOrigins(JsonNode value) {
    this.allowedOrigins = list(value);
  }

  @JsonProperty
  public List<String> getAllowedHosts() {
    return allowedHosts;
  }

  @JsonProperty
  public void setAllowedHosts(JsonNode value) {
    this.allowedHosts = list(value);
  }

  static List<String> list(JsonNode value) {
    List<String> out = new ArrayList<>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (value.isArray()) {
      value.forEach(v -> add(out, v.asText()));
    } else {
      for (String part : value.asText().split(",")) {
        add(out, part);
      }
    }
    return List.copyOf(out);
  }

  private static void add(List<String> out, String value) {
    String trimmed = value == null ? "" : value.trim();
    if (!trimmed.isEmpty()) {
      out.add(trimmed);
    }
  }
}
