package dev.interlock.worker.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.WebhookDao;
import dev.interlock.store.WebhookSql;
import dev.interlock.model.WebhookRow;
import dev.interlock.worker.Renderings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Turns an interrupt event into webhook deliveries: one row per (event, subscribed webhook),
 * written in the caller's transaction so an event is never recorded without its deliveries
 * (the outbox). The caller starts their workflows after the commit.
 */
public final class WebhookEvents {

  public static final List<String> EVENTS = List.of("request.created", "request.decided",
      "request.approved", "request.denied", "request.expired", "request.confirmed");

  private final Renderings renderings;
  private final Clock clock;

  public WebhookEvents(Renderings renderings, Clock clock) {
    this.renderings = renderings;
    this.clock = clock;
  }

  /** The events a transition to {@code status} raises. */
  public static List<String> forTransition(String status) {
    return switch (status) {
      case "approved" -> List.of("request.decided", "request.approved");
      case "rejected" -> List.of("request.decided", "request.denied");
      case "expired" -> List.of("request.expired");
      default -> List.of();
    };
  }

  /** Writes the deliveries of one event; returns their ids. */
  public List<String> enqueue(Handle handle, InterruptRow row, String event) {
    return enqueue(handle, row, event, WebhookSql.listReceiving(handle, row.ownerId()));
  }

  /**
   * Writes the deliveries of one event to {@code hooks}, the owner's receiving webhooks (read
   * once per owner by a caller that enqueues many events at once); returns their ids.
   */
  public List<String> enqueue(Handle handle, InterruptRow row, String event,
      List<WebhookRow> hooks) {
    List<String> ids = new ArrayList<>();
    if (hooks.isEmpty()) {
      return ids;
    }
    WebhookDao dao = handle.attach(WebhookDao.class);
    JsonNode payload = renderings.webhookPayload(event, row, clock.instant());
    for (WebhookRow hook : hooks) {
      if (hook.wants(event)) {
        String id = newDeliveryId();
        dao.insertDelivery(id, hook.id(), row.ownerId(), event, row.id(), payload, null);
        ids.add(id);
      }
    }
    return ids;
  }

  public static String newDeliveryId() {
    return "dlv_" + UUID.randomUUID().toString().replace("-", "");
  }
}
