package dev.interlock.server.dialect;

import dev.interlock.server.service.LoopService;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.IdentityModule.Identity;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.config.LimitsConfig;
import dev.interlock.server.config.McpConfig;
import dev.interlock.server.http.LongPoll;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.PolicyService;
import dev.interlock.server.service.SessionService;
import dev.interlock.server.service.WebhookService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import java.time.Clock;

/**
 * What a dialect is built on: the core's services and the shared plumbing of the HTTP edge.
 * Nothing here is a dialect's; a dialect takes what it needs and registers its resources.
 * {@code mcp} is there for a dialect's own waiting tools, which wait as long as the blocking
 * ones may ({@code maxBlockingWait}) and report progress as often ({@code progressInterval}).
 */
public record DialectContext(
    JerseyEnvironment jersey,
    ObjectMapper json,
    Clock clock,
    LimitsConfig limits,
    String baseUrl,
    Identity identity,
    ReviewLinks links,
    InterruptService interrupts,
    LongPoll longPoll,
    SessionService sessions,
    PolicyService policies,
    WebhookService webhooks,
    JsonBodies bodies,
    LoopService loops,
    java.time.Duration loopPingInterval,
    io.dropwizard.lifecycle.setup.LifecycleEnvironment lifecycle,
    McpConfig mcp,
    dev.interlock.server.service.engine.Engine engine) {

  /** Whether the public base URL is https (cookies are then marked Secure). */
  public boolean secure() {
    return baseUrl.regionMatches(true, 0, "https:", 0, 6);
  }
}
