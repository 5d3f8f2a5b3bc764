package dev.interlock.worker;

import dev.interlock.model.InterruptRow;
import dev.interlock.store.InterruptSql;
import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.model.WebhookRow;
import dev.interlock.store.WebhookSql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Marks interrupts expired in the store as their deadline passes, in batches, so that
 * readers and waiters see {@code expired} at once, however many expire together. The
 * workflow's own timer still fires later and runs the callback; its projection then finds
 * the row already expired and changes nothing. The sweep writes what that projection
 * would: status, audit event, NOTIFY and the {@code request.expired} webhook deliveries.
 */
public final class ExpirySweep {

  private final Jdbi jdbi;
  private final WebhookEvents webhookEvents;
  private final Deliveries deliveries;
  private final WorkerMetrics metrics;

  public ExpirySweep(Jdbi jdbi, WebhookEvents webhookEvents, Deliveries deliveries) {
    this(jdbi, webhookEvents, deliveries, WorkerMetrics.none());
  }

  public ExpirySweep(Jdbi jdbi, WebhookEvents webhookEvents, Deliveries deliveries,
      WorkerMetrics metrics) {
    this.metrics = metrics;
    this.jdbi = jdbi;
    this.webhookEvents = webhookEvents;
    this.deliveries = deliveries;
  }

  /** Expires up to {@code limit} due interrupts in one transaction; returns how many. */
  public int expireDue(int limit) {
    List<String> newDeliveries = new ArrayList<>();
    List<InterruptRow> expired = jdbi.inTransaction(h -> {
      List<InterruptRow> rows = InterruptSql.expireDue(h, limit);
      Map<String, List<WebhookRow>> hooksOf = new HashMap<>();
      for (InterruptRow row : rows) {
        List<WebhookRow> hooks =
            hooksOf.computeIfAbsent(row.ownerId(), owner -> WebhookSql.listReceiving(h, owner));
        for (String event : WebhookEvents.forTransition(row.status())) {
          newDeliveries.addAll(webhookEvents.enqueue(h, row, event, hooks));
        }
      }
      return rows;
    });
    // After the commit: the workflows' own projections later find these rows expired and
    // change (and count) nothing.
    expired.forEach(metrics::settled);
    if (deliveries != null && !newDeliveries.isEmpty()) {
      deliveries.startAll(newDeliveries);
    }
    return expired.size();
  }
}
