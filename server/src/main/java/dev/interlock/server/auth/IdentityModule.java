package dev.interlock.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.InterlockConfiguration;
import dev.interlock.server.config.AuthConfig;
import dev.interlock.server.config.LimitsConfig;
import dev.interlock.store.ServerSecretDao;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.core.setup.Environment;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;
import dev.interlock.server.metrics.InterlockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identity and access shared by every dialect, wired in one place: users and login tokens,
 * the API key store, the authentication filter, scope checks, rate limits, and Loopgate's
 * {@code /api/auth} and {@code /api/user/apikeys} resources.
 */
public final class IdentityModule {

  private static final Logger log = LoggerFactory.getLogger(IdentityModule.class);

  static final int MIN_SECRET = 32;
  static final String JWT_SECRET_NAME = "jwt_secret";

  /**
   * What other parts of the application may need. The MCP servlet, which Jersey's filters
   * do not cover, authenticates with the same {@code credentials}, notes key use in the
   * same {@code usage} and counts requests in the same {@code rateLimiter}.
   */
  public record Identity(ApiKeys keys, Users users, LoginTokens tokens, Credentials credentials,
      KeyUsage usage, RateLimiter rateLimiter, LoginThrottle throttle, Workspaces workspaces) {}

  private IdentityModule() {}

  public static Identity install(InterlockConfiguration config, Environment environment,
      Jdbi jdbi, DataSource dataSource, Clock clock, String baseUrl, InterlockMetrics metrics) {
    AuthConfig auth = config.auth;
    String secret = jwtSecret(auth.jwtSecret, config.database.isEmbedded(), jdbi);

    KeyUsage usage = new KeyUsage(jdbi, clock, auth.lastUsedFlushInterval.toJavaDuration());
    environment.lifecycle().manage(usage);
    ApiKeys keys = new ApiKeys(jdbi, clock, usage);
    keys.bootstrap(auth.adminKey);
    LoginTokens tokens = new LoginTokens(secret, auth.jwtLifetime.toJavaDuration(), clock);
    Workspaces workspaces = new Workspaces(jdbi, clock, secret, baseUrl);
    Users users = new Users(jdbi, new Passwords(), tokens,
        auth.registration == AuthConfig.Registration.OPEN, workspaces);
    workspaces.bootstrapAdmin(users, auth.adminUser, auth.adminPassword);

    Credentials credentials = new Credentials(tokens, keys, workspaces);
    RateLimiter rateLimiter = config.limits.rateLimitStore == LimitsConfig.RateLimitStore.MEMORY
        ? RateLimiter.inMemory(clock)
        : RateLimiter.shared(dataSource, clock);
    if (config.limits.rateLimitStore != LimitsConfig.RateLimitStore.MEMORY) {
      // Rows of buckets that have refilled would start full anyway: drop them now and then.
      environment.lifecycle().scheduledExecutorService("interlock-rate-limit-cleanup").build()
          .scheduleWithFixedDelay(() -> {
            try {
              rateLimiter.removeRefilled(10_000);
            } catch (RuntimeException e) {
              log.warn("rate-limit cleanup failed (it runs again in a minute): {}", e.toString());
            }
          }, 1, 1, TimeUnit.MINUTES);
    }
    rateLimiter.onRefusal(metrics::rateLimited);
    LoginThrottle throttle = new LoginThrottle(rateLimiter, config.limits.loginsPerMinutePerAddress,
        config.limits.loginsPerMinutePerUsername, config.limits.registrationsPerMinutePerAddress);

    var jersey = environment.jersey();
    jersey.register(new AuthDynamicFeature(
        new CredentialsAuthFilter(credentials, new ScopeAuthorizer(), usage)));
    jersey.register(new AuthValueFactoryProvider.Binder<>(Caller.class));
    jersey.register(RolesAllowedDynamicFeature.class);
    jersey.register(new RateLimitFilter(rateLimiter));
    return new Identity(keys, users, tokens, credentials, usage, rateLimiter, throttle,
        workspaces);
  }

  /**
   * The secret that signs login tokens: the configured one; else, with the embedded
   * database, one generated on the first start and kept in {@code server_secrets} so
   * tokens survive restarts. With an external database a secret must be configured: the
   * server refuses to start rather than have instances sign with different secrets.
   */
  public static String jwtSecret(String configured, boolean embeddedDatabase, Jdbi jdbi) {
    String secret = configured == null ? "" : configured.trim();
    if (!secret.isEmpty()) {
      if (secret.length() < MIN_SECRET) {
        throw new IllegalArgumentException("auth.jwtSecret (INTERLOCK_JWT_SECRET) must be at"
            + " least " + MIN_SECRET + " characters; generate one with: openssl rand -hex 32");
      }
      return secret;
    }
    if (!embeddedDatabase) {
      throw new IllegalStateException("auth.jwtSecret (INTERLOCK_JWT_SECRET) is not set. With"
          + " an external database (database.embedded: false) every server must sign login"
          + " tokens with the same configured secret: set INTERLOCK_JWT_SECRET to at least "
          + MIN_SECRET + " random characters, e.g. the output of: openssl rand -hex 32");
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String generated = HexFormat.of().formatHex(random);
    return jdbi.withExtension(ServerSecretDao.class, dao -> {
      if (dao.insertIfAbsent(JWT_SECRET_NAME, generated) == 1) {
        log.info("generated the secret that signs login tokens; it is kept in the embedded"
            + " database (set INTERLOCK_JWT_SECRET to choose your own)");
      }
      return dao.find(JWT_SECRET_NAME).orElseThrow();
    });
  }
}
