package dev.interlock.server.service;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.WebhookAttemptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.store.WebhookSql;
import dev.interlock.store.WebhookDeliveryRow;
import dev.interlock.store.WebhookRow;
import dev.interlock.worker.CallbackTargetGuard;
import dev.interlock.worker.webhook.DeliveryStarter;
import dev.interlock.worker.webhook.WebhookEvents;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** AgentGate webhooks: subscriptions, their delivery log, and replays. */
public final class WebhookService {

  private static final SecureRandom RANDOM = new SecureRandom();
  static final int MIN_SECRET = 32;

  /** A new webhook with its secret, which is shown only in the create response. */
  public record CreatedWebhook(WebhookRow webhook, String secret) {}

  /** A delivery with its attempts. */
  public record Delivery(WebhookDeliveryRow delivery, List<WebhookAttemptRow> attempts) {}

  private final Jdbi jdbi;
  private final CallbackTargetGuard guard;
  private final DeliveryStarter starter;

  public WebhookService(Jdbi jdbi, CallbackTargetGuard guard, DeliveryStarter starter) {
    this.jdbi = jdbi;
    this.guard = guard;
    this.starter = starter;
  }

  public CreatedWebhook create(Caller caller, String url, List<String> events, String secret) {
    try {
      guard.check(url);
    } catch (CallbackTargetGuard.ForbiddenTarget e) {
      throw new InvalidRequest(e.getMessage().replace("callbackUrl", "url"));
    }
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

  public List<WebhookRow> list(Caller caller) {
    return jdbi.withHandle(h -> WebhookSql.list(h, caller.ownerId()));
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

  private static String generateSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + HexFormat.of().formatHex(bytes);
  }
}
