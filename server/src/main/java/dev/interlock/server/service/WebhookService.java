package dev.interlock.server.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.store.WebhookSql;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.model.WebhookRow;
import dev.interlock.worker.CallbackTargetGuard;
import dev.interlock.model.IsoTimes;
import dev.interlock.worker.OutboundPost;
import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.worker.webhook.WebhookSigner;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** AgentGate webhooks: subscriptions, their delivery log, replays and test sends. */
public final class WebhookService {

  private static final SecureRandom RANDOM = new SecureRandom();
  static final int MIN_SECRET = 32;

  /** A new webhook with its secret, which is shown only in the create response. */
  public record CreatedWebhook(WebhookRow webhook, String secret) {}

  /** A delivery with its attempts. */
  public record Delivery(WebhookDeliveryRow delivery, List<WebhookAttemptRow> attempts) {}

  /**
   * How a test send went: {@code status} is the receiver's HTTP status (null when it could
   * not be reached), {@code success} whether that status was 2xx.
   */
  public record TestOutcome(boolean success, Integer status, String message) {}

  /** The body of a test send: shaped like a delivery, with event {@code test}. */
  record TestEvent(String event, TestData data, String timestamp) {}

  record TestData(String message, String webhookId) {}

  private final Jdbi jdbi;
  private final CallbackTargetGuard guard;
  private final Deliveries starter;
  private final OutboundPost outbound;
  private final Duration requestTimeout;
  private final ObjectMapper json;
  private final Clock clock;

  /**
   * @param outbound the client deliveries use: it connects only to the addresses the guard
   *     checked and follows no redirects
   * @param requestTimeout how long a test send waits for the receiver ({@code callbacks.timeout})
   */
  public WebhookService(Jdbi jdbi, CallbackTargetGuard guard, Deliveries starter,
      OutboundPost outbound, Duration requestTimeout, ObjectMapper json, Clock clock) {
    this.jdbi = jdbi;
    this.guard = guard;
    this.starter = starter;
    this.outbound = outbound;
    this.requestTimeout = requestTimeout;
    this.json = json;
    this.clock = clock;
  }

  public CreatedWebhook create(Caller caller, String url, List<String> events, String secret) {
    checkUrl(url);
    checkEvents(events);
    if (secret != null && secret.length() < MIN_SECRET) {
      throw new InvalidRequest("secret must be at least " + MIN_SECRET + " characters");
    }
    String effective = secret != null ? secret : generateSecret();
    String id = "wh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    WebhookRow row = jdbi.inTransaction(h -> {
      WebhookDao dao = h.attach(WebhookDao.class);
      dao.insert(id, caller.ownerId(), url, new LinkedHashSet<>(events).toArray(String[]::new), effective);
      return dao.find(id).orElseThrow();
    });
    return new CreatedWebhook(row, effective);
  }

  /** The owner's webhooks, enabled or not (deleted ones are gone). */
  public List<WebhookRow> list(Caller caller) {
    return jdbi.withHandle(h -> WebhookSql.list(h, caller.ownerId()));
  }

  /**
   * Changes a webhook's URL, events or on/off switch (null leaves a field as it is).
   * Disabling also gives up the deliveries it still owes, so a disabled webhook receives
   * nothing more; events while it is disabled are not delivered later when it is enabled.
   */
  public WebhookRow update(Caller caller, String id, String url, List<String> events,
      Boolean enabled) {
    if (url != null) {
      checkUrl(url);
    }
    if (events != null) {
      checkEvents(events);
    }
    return jdbi.inTransaction(h -> {
      WebhookDao dao = h.attach(WebhookDao.class);
      String[] eventArray = events == null ? null : new LinkedHashSet<>(events).toArray(String[]::new);
      if (dao.update(id, caller.ownerId(), url, eventArray, enabled) == 0) {
        throw new NotFound("Webhook not found");
      }
      if (Boolean.FALSE.equals(enabled)) {
        dao.failPending(id, "webhook disabled");
      }
      return dao.find(id).orElseThrow();
    });
  }

  /**
   * POSTs a signed {@code test} event to the webhook now, as a delivery would be sent (the
   * SSRF guard checks the URL again, the same client, headers and signature), and says how
   * the receiver answered. A disabled webhook can be tested too: checking a receiver before
   * switching it back on is what a test is for. The send is not retried and is not written
   * to the delivery log.
   */
  public TestOutcome test(Caller caller, String id) {
    WebhookRow hook = jdbi.withExtension(WebhookDao.class, dao -> dao.findActive(id, caller.ownerId()))
        .orElseThrow(() -> new NotFound("Webhook not found"));
    CallbackTargetGuard.Target target;
    try {
      target = guard.target(hook.url());
    } catch (CallbackTargetGuard.ForbiddenTarget e) {
      throw new InvalidRequest("The webhook's " + e.getMessage().replace("callbackUrl", "url"));
    }
    String body;
    try {
      body = json.writeValueAsString(new TestEvent("test",
          new TestData("This is a test webhook from Interlock", hook.id()),
          IsoTimes.format(clock.instant())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    OutboundPost.Attempt sent = outbound.send(target, requestTimeout,
        WebhookSigner.headers(hook.secret(), timestamp, body, "test"), body);
    if (sent.delivered()) {
      return new TestOutcome(true, sent.status(), "Test delivered successfully");
    }
    return new TestOutcome(false, sent.status(), sent.status() != null
        ? "Delivery failed: the receiver answered HTTP " + sent.status()
        : "Delivery failed: " + sent.error());
  }

  public void delete(Caller caller, String id) {
    if (jdbi.withExtension(WebhookDao.class, dao -> dao.deactivate(id, caller.ownerId())) == 0) {
      throw new NotFound("Webhook not found");
    }
  }

  public List<Delivery> deliveries(Caller caller, String webhookId, int limit) {
    return jdbi.withExtension(WebhookDao.class, dao -> {
      dao.findActive(webhookId, caller.ownerId()).orElseThrow(() -> new NotFound("Webhook not found"));
      return dao.deliveries(webhookId, limit).stream()
          .map(d -> new Delivery(d, dao.attempts(d.id()))).toList();
    });
  }

  /** Sends a delivery's payload again, as a new delivery with its own attempts. */
  public Delivery replay(Caller caller, String webhookId, String deliveryId) {
    String id = WebhookEvents.newDeliveryId();
    Delivery replay = jdbi.inTransaction(h -> {
      WebhookDao dao = h.attach(WebhookDao.class);
      dao.findActive(webhookId, caller.ownerId()).orElseThrow(() -> new NotFound("Webhook not found"));
      WebhookDeliveryRow original = dao.findDelivery(deliveryId)
          .filter(d -> d.webhookId().equals(webhookId))
          .orElseThrow(() -> new NotFound("Delivery not found"));
      dao.insertDelivery(id, webhookId, caller.ownerId(), original.event(), original.interruptId(),
          original.payload(), original.id());
      return new Delivery(dao.findDelivery(id).orElseThrow(), List.of());
    });
    starter.startAll(List.of(id));
    return replay;
  }

  private void checkUrl(String url) {
    try {
      guard.check(url);
    } catch (CallbackTargetGuard.ForbiddenTarget e) {
      throw new InvalidRequest(e.getMessage().replace("callbackUrl", "url"));
    }
  }

  private static void checkEvents(List<String> events) {
    if (events.isEmpty()) {
      throw new InvalidRequest("events must name at least one event");
    }
    Set<String> known = new LinkedHashSet<>(WebhookEvents.EVENTS);
    known.add("*");
    for (String event : events) {
      if (!known.contains(event)) {
        throw new InvalidRequest("unknown event " + event + "; use one of " + String.join(", ", known));
      }
    }
  }

  private static String generateSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + HexFormat.of().formatHex(bytes);
  }
}
