package dev.interlock.server.service.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.service.engine.SignalService.Ingested;
import dev.interlock.server.service.engine.SignalService.NewSignal;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop's provider webhooks: GitHub, Sentry and PostHog post their events here with no API
 * key. Each delivery is verified with its provider's secret before anything is read or
 * stored (GitHub: {@code X-Hub-Signature-256}, {@code sha256=} and the hex HMAC-SHA256 of
 * the body as sent; Sentry: {@code Sentry-Hook-Signature}, the hex HMAC-SHA256 of the body;
 * PostHog: the shared secret itself in {@code X-PostHog-Secret} or {@code Authorization}),
 * compared in constant time. It then becomes a signal in the configured workspace, its
 * severity derived as Loop's integration guides say, once per delivery: GitHub's
 * {@code X-GitHub-Delivery}, Sentry's {@code Request-ID}, else the body's SHA-256 names it.
 */
public final class ProviderWebhooks {

  private static final Logger log = LoggerFactory.getLogger(ProviderWebhooks.class);

  /** A provider, with where its secret is configured. */
  public enum Provider {
    GITHUB("github", "GitHub", "LOOP_GITHUB_WEBHOOK_SECRET", "engine.githubWebhookSecret"),
    SENTRY("sentry", "Sentry", "LOOP_SENTRY_CLIENT_SECRET", "engine.sentryClientSecret"),
    POSTHOG("posthog", "PostHog", "LOOP_POSTHOG_WEBHOOK_SECRET", "engine.posthogWebhookSecret");

    /** The signal's {@code source} and the last segment of the webhook's path. */
    public final String source;
    final String displayName;
    final String envVar;
    final String configKey;

    Provider(String source, String displayName, String envVar, String configKey) {
      this.source = source;
      this.displayName = displayName;
      this.envVar = envVar;
      this.configKey = configKey;
    }
  }

  /**
   * One delivery as it arrived.
   *
   * @param header a request header's value by name (any case), or null when absent
   * @param body reads the body's bytes as sent (asked for only once the headers pass)
   * @param json reads those bytes as the provider's JSON object (asked for only once the
   *     signature holds); refuses what is not one
   */
  public record Delivery(UnaryOperator<String> header, Supplier<byte[]> body,
      Function<byte[], ObjectNode> json) {}

  /** GitHub's events as Loop rates them; any other event is {@code medium}. */
  private static final Map<String, String> GITHUB_SEVERITY = Map.of(
      "security_advisory", "critical",
      "code_scanning_alert", "critical",
      "dependabot_alert", "high",
      "issues", "medium",
      "pull_request", "low",
      "push", "low",
      "issue_comment", "low");

  /** A delivery id longer than this is no provider's; the body's hash names it instead. */
  private static final int MAX_DELIVERY_ID = 200;

  private final SignalService signals;
  private final String workspace;
  private final Map<Provider, byte[]> secrets;
  /** Set once the configured workspace was seen to exist (workspaces are never deleted). */
  private volatile boolean workspaceFound;

  public ProviderWebhooks(SignalService signals, EngineConfig config) {
    this.signals = signals;
    this.workspace = config.webhookWorkspace;
    this.secrets = new java.util.EnumMap<>(Provider.class);
    put(Provider.GITHUB, config.githubWebhookSecret);
    put(Provider.SENTRY, config.sentryClientSecret);
    put(Provider.POSTHOG, config.posthogWebhookSecret);
    if (!secrets.isEmpty()) {
      try {
        workspaceFound = signals.workspaceExists(workspace);
        if (!workspaceFound) {
          log.warn("engine.webhookWorkspace (LOOP_WEBHOOK_WORKSPACE) is {}, which is no"
              + " workspace: Loop's provider webhooks answer 503 until it names one (admin, or"
              + " a workspace's id)", workspace);
        }
      } catch (RuntimeException e) {
        log.warn("could not check engine.webhookWorkspace at start: {}", e.getMessage());
      }
    }
    for (Provider p : Provider.values()) {
      if (!secrets.containsKey(p)) {
        log.warn("Loop's {} webhook (POST /api/signals/{}) is not configured and answers 503:"
            + " set {} ({} in config.yml) to its secret to accept {}'s deliveries",
            p.displayName, p.source, p.envVar, p.configKey, p.displayName);
      }
    }
  }

  private void put(Provider p, String secret) {
    if (secret != null && !secret.isBlank()) {
      secrets.put(p, secret.strip().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Whether the provider's secret is configured (else its webhook answers 503). */
  public boolean configured(Provider provider) {
    return secrets.containsKey(provider);
  }

  /**
   * Verifies a delivery, then stores its signal and triage issue (once per delivery).
   *
   * @throws TemporarilyUnavailable when the provider's secret is not configured
   * @throws Unauthorized when the signature (or PostHog's secret) is missing or wrong
   */
  public Ingested receive(Provider provider, Delivery delivery) {
    byte[] secret = secrets.get(provider);
    if (secret == null) {
      throw new TemporarilyUnavailable(provider.displayName + " webhooks are not configured on"
          + " this server: set " + provider.envVar + " (" + provider.configKey + ")");
    }
    byte[] body = switch (provider) {
      case GITHUB -> verifyHmac(delivery, secret, "X-Hub-Signature-256", "sha256=");
      case SENTRY -> verifyHmac(delivery, secret, "Sentry-Hook-Signature", "");
      case POSTHOG -> verifySharedSecret(delivery, secret);
    };
    if (!workspaceFound) {
      if (!signals.workspaceExists(workspace)) {
        log.warn("{} webhook delivery refused: engine.webhookWorkspace {} is no workspace",
            provider.displayName, workspace);
        throw new TemporarilyUnavailable(provider.displayName + " webhooks cannot be filed:"
            + " the workspace this server files them in (LOOP_WEBHOOK_WORKSPACE) does not exist");
      }
      workspaceFound = true;
    }
    ObjectNode event = delivery.json().apply(body);
    return switch (provider) {
      case GITHUB -> signals.ingest(workspace, github(delivery.header(), event),
          deliveryKey(delivery.header().apply("X-GitHub-Delivery"), body));
      case SENTRY -> signals.ingest(workspace, sentry(delivery.header(), event),
          deliveryKey(delivery.header().apply("Request-ID"), body));
      case POSTHOG -> signals.ingest(workspace, posthog(event), deliveryKey(null, body));
    };
  }

  // ---- verification ----------------------------------------------------------------------

  /** The body, once {@code header} holds {@code prefix} + the hex HMAC-SHA256 of it. */
  private static byte[] verifyHmac(Delivery delivery, byte[] secret, String header,
      String prefix) {
    String given = delivery.header().apply(header);
    if (given == null || given.isBlank()) {
      throw new Unauthorized("Missing " + header + " header");
    }
    byte[] body = delivery.body().get();
    String expected = prefix + HexFormat.of().formatHex(hmacSha256(secret, body));
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        given.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      throw new Unauthorized("Invalid webhook signature");
    }
    return body;
  }

  /**
   * The body, once {@code X-PostHog-Secret} (as Loop's code reads it) or
   * {@code Authorization} (as its API document says; {@code Bearer <secret>} or the secret
   * alone) holds the secret. Digests are compared so that the time taken says nothing of the
   * secret's length either.
   */
  private static byte[] verifySharedSecret(Delivery delivery, byte[] secret) {
    String header = delivery.header().apply("X-PostHog-Secret");
    String authorization = delivery.header().apply("Authorization");
    if ((header == null || header.isBlank())
        && (authorization == null || authorization.isBlank())) {
      throw new Unauthorized("Missing X-PostHog-Secret (or Authorization) header");
    }
    byte[] expected = sha256(secret);
    boolean matches = false;
    if (header != null && !header.isBlank()) {
      matches |= MessageDigest.isEqual(expected, sha256(header.strip()));
    }
    if (authorization != null && !authorization.isBlank()) {
      String value = authorization.strip();
      if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        value = value.substring(7).strip();
      }
      matches |= MessageDigest.isEqual(expected, sha256(value));
    }
    if (!matches) {
      throw new Unauthorized("Invalid webhook secret");
    }
    return delivery.body().get();
  }

  static byte[] hmacSha256(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The provider's delivery id, or {@code sha256:<hex>} of the body without one. */
  static String deliveryKey(String deliveryId, byte[] body) {
    if (deliveryId != null && !deliveryId.isBlank()
        && deliveryId.strip().length() <= MAX_DELIVERY_ID) {
      return deliveryId.strip();
    }
    return "sha256:" + HexFormat.of().formatHex(sha256(body));
  }

  // ---- each provider's event as a signal -------------------------------------------------

  /**
   * GitHub: the event ({@code X-GitHub-Event}) is the type and decides the severity; the
   * title names the repository and who acted, the source id is {@code event.action}.
   */
  static NewSignal github(UnaryOperator<String> header, ObjectNode body) {
    String event = text(header.apply("X-GitHub-Event"), "unknown");
    String repo = text(body.path("repository").path("full_name"), "unknown");
    String actor = text(body.path("sender").path("login"), "unknown");
    String action = text(body.path("action"), null);
    String severity = GITHUB_SEVERITY.getOrDefault(event, "medium");
    String title = "GitHub: " + event + (action == null ? "" : " " + action) + " on " + repo
        + " by " + actor;
    return new NewSignal("github", action == null ? event : event + "." + action, event,
        severity, body, null, title);
  }

  /**
   * Sentry: an issue, error or event alert is rated by its level and event count (fatal, or
   * error seen 100 times or more: critical; error: high; warning: medium; else low); a metric
   * alert by its action (critical, warning: medium, resolved: low). The source id is Sentry's
   * issue id.
   */
  static NewSignal sentry(UnaryOperator<String> header, ObjectNode body) {
    JsonNode data = body.path("data");
    String action = text(body.path("action"), null);
    String type = action != null ? action
        : text(header.apply("Sentry-Hook-Resource"), "event");
    if (data.path("metric_alert").isObject()
        || "metric_alert".equals(header.apply("Sentry-Hook-Resource"))) {
      String name = text(data.path("description_title"),
          text(data.path("metric_alert").path("alert_rule").path("name"),
              text(data.path("metric_alert").path("title"), "Metric alert")));
      String severity = switch (action == null ? "" : action) {
        case "critical" -> "critical";
        case "warning" -> "medium";
        default -> "low";
      };
      return new NewSignal("sentry", text(data.path("metric_alert").path("id"), null), type,
          severity, body, null, "Sentry: " + name + " (" + (action == null ? "alert" : action)
          + ")");
    }
    JsonNode subject = data.path("issue").isObject() ? data.path("issue")
        : data.path("error").isObject() ? data.path("error") : data.path("event");
    String title = text(subject.path("title"), "Unknown error");
    long count = count(subject.path("count"));
    String level = text(subject.path("level"), "error");
    String severity = switch (level) {
      case "fatal" -> "critical";
      case "error" -> count >= 100 ? "critical" : "high";
      case "warning" -> "medium";
      default -> "low";
    };
    String issueId = text(data.path("issue").path("id"),
        text(data.path("event").path("issue_id"), text(data.path("error").path("issue_id"),
            null)));
    return new NewSignal("sentry", issueId, type, severity, body, null,
        "Sentry: " + title + " (" + count + (count == 1 ? " event)" : " events)"));
  }

  /**
   * PostHog: a metric's change in percent ({@code value}) decides the severity (50 or more:
   * critical, 25: high, 10: medium, else low); the title names the metric ({@code event.name}
   * or {@code name}), the change and its timeframe.
   */
  static NewSignal posthog(ObjectNode body) {
    String metric = text(body.path("event").path("name"),
        text(body.path("name"), "unknown_metric"));
    JsonNode value = body.path("value");
    double change = value.isNumber() ? value.asDouble() : 0;
    String shown = value.isNumber() ? value.asText() : "0";
    String timeframe = text(body.path("timeframe"), "recent");
    double magnitude = Math.abs(change);
    String severity = magnitude >= 50 ? "critical" : magnitude >= 25 ? "high"
        : magnitude >= 10 ? "medium" : "low";
    return new NewSignal("posthog", null, "metric_change", severity, body, null,
        "PostHog: " + metric + " " + shown + "% (" + timeframe + ")");
  }

  /** A text or number node as text; {@code otherwise} when absent, null or blank. */
  private static String text(JsonNode node, String otherwise) {
    if (node == null || !(node.isTextual() || node.isNumber()) || node.asText().isBlank()) {
      return otherwise;
    }
    return node.asText();
  }

  private static String text(String value, String otherwise) {
    return value == null || value.isBlank() ? otherwise : value.strip();
  }

  /** Sentry's count, a number or a numeric string; 1 when it says nothing usable. */
  private static long count(JsonNode node) {
    if (node.isIntegralNumber()) {
      return Math.max(1, node.asLong());
    }
    if (node.isTextual()) {
      try {
        return Math.max(1, Long.parseLong(node.asText().strip()));
      } catch (NumberFormatException e) {
        return 1;
      }
    }
    return 1;
  }
}
