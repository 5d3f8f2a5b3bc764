package dev.interlock.store;

import dev.interlock.model.WebhookRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The webhook statements every create and every transition runs (which hooks an owner has;
 * which deliveries of an interrupt are still owed), on JDBI's fluent API for the reason
 * given in {@link InterruptSql}. The rest is in {@link WebhookDao}.
 */
public final class WebhookSql {

  private WebhookSql() {}

  /** The owner's webhooks (enabled or not, but not deleted), oldest first. */
  public static List<WebhookRow> list(Handle h, String ownerId) {
    return h.createQuery("select " + WebhookDao.WEBHOOK
            + " from webhooks where owner_id = :ownerId and active order by created_at, id")
        .bind("ownerId", ownerId)
        .map((rs, ctx) -> webhook(rs))
        .list();
  }

  /**
   * The owner's webhooks that receive deliveries (not deleted and enabled), oldest first:
   * the selection every event's deliveries are written for.
   */
  public static List<WebhookRow> listReceiving(Handle h, String ownerId) {
    return h.createQuery("select " + WebhookDao.WEBHOOK
            + " from webhooks where owner_id = :ownerId and active and enabled"
            + " order by created_at, id")
        .bind("ownerId", ownerId)
        .map((rs, ctx) -> webhook(rs))
        .list();
  }

  /** Ids of the deliveries of an interrupt's events not yet delivered, oldest first. */
  public static List<String> pendingDeliveryIds(Handle h, String interruptId) {
    return h.createQuery("select id from webhook_deliveries"
            + " where interrupt_id = cast(:interruptId as uuid) and state = 'pending'"
            + " order by created_at")
        .bind("interruptId", interruptId)
        .map((rs, ctx) -> rs.getString(1))
        .list();
  }

  private static WebhookRow webhook(ResultSet rs) throws SQLException {
    return new WebhookRow(rs.getString("id"), rs.getString("owner_id"), rs.getString("url"),
        Columns.strings(rs, "events"), rs.getString("secret"), rs.getBoolean("active"),
        rs.getBoolean("enabled"), Columns.instant(rs, "created_at"));
  }
}
