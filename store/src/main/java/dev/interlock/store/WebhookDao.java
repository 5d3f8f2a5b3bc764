package dev.interlock.store;

import dev.interlock.model.WebhookRow;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.model.WebhookAttemptRow;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(WebhookRow.class)
@RegisterConstructorMapper(WebhookDeliveryRow.class)
@RegisterConstructorMapper(WebhookAttemptRow.class)
public interface WebhookDao {

  String WEBHOOK = "id, owner_id, url, events, secret, active, enabled, created_at";
  String DELIVERY = "id, webhook_id, owner_id, event, interrupt_id::text, payload, state,"
      + " attempts, last_status, last_error, replay_of, created_at, delivered_at";

  @SqlUpdate(
      """
      insert into webhooks (id, owner_id, url, events, secret)
      values (:id, :ownerId, :url, :events, :secret)
      """)
  void insert(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("url") String url,
      @Bind("events") String[] events, @Bind("secret") String secret);


  @SqlQuery("select " + WEBHOOK + " from webhooks where id = :id and owner_id = :ownerId and active")
  Optional<WebhookRow> findActive(@Bind("id") String id, @Bind("ownerId") String ownerId);

  @SqlQuery("select " + WEBHOOK + " from webhooks where id = :id")
  Optional<WebhookRow> find(@Bind("id") String id);

  /** Changes the fields given (null keeps a field as it is) of a webhook not deleted. */
  @SqlUpdate(
      """
      update webhooks
         set url = coalesce(cast(:url as text), url),
             events = coalesce(cast(:events as text[]), events),
             enabled = coalesce(cast(:enabled as boolean), enabled)
       where id = :id and owner_id = :ownerId and active
      """)
  int update(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("url") String url,
      @Bind("events") String[] events, @Bind("enabled") Boolean enabled);

  /**
   * Gives up the deliveries a webhook still owes (it was disabled): their workflows find
   * them no longer pending and stop.
   */
  @SqlUpdate(
      """
      update webhook_deliveries set state = 'failed', last_error = :reason
       where webhook_id = :webhookId and state = 'pending'
      """)
  int failPending(@Bind("webhookId") String webhookId, @Bind("reason") String reason);

  /** Deletion keeps the row (its delivery log stays readable) and stops future deliveries. */
  @SqlUpdate("update webhooks set active = false where id = :id and owner_id = :ownerId and active")
  int deactivate(@Bind("id") String id, @Bind("ownerId") String ownerId);

  @SqlUpdate(
      """
      insert into webhook_deliveries (id, webhook_id, owner_id, event, interrupt_id, payload, replay_of)
      values (:id, :webhookId, :ownerId, :event, cast(:interruptId as uuid), :payload, :replayOf)
      """)
  void insertDelivery(@Bind("id") String id, @Bind("webhookId") String webhookId,
      @Bind("ownerId") String ownerId, @Bind("event") String event,
      @Bind("interruptId") String interruptId, @Bind("payload") @Json JsonNode payload,
      @Bind("replayOf") String replayOf);

  @SqlQuery("select " + DELIVERY + " from webhook_deliveries where id = :id")
  Optional<WebhookDeliveryRow> findDelivery(@Bind("id") String id);

  @SqlQuery(
      "select " + DELIVERY + " from webhook_deliveries where webhook_id = :webhookId"
          + " order by created_at desc, id limit :limit")
  List<WebhookDeliveryRow> deliveries(@Bind("webhookId") String webhookId, @Bind("limit") int limit);

  @SqlQuery("select " + DELIVERY + " from webhook_deliveries where state = 'pending' order by created_at limit :limit")
  List<WebhookDeliveryRow> pendingDeliveries(@Bind("limit") int limit);

  @SqlQuery("select count(*) from webhook_deliveries where state = 'pending'")
  long countPendingDeliveries();


  @SqlUpdate(
      """
      insert into webhook_attempts (delivery_id, attempt, outcome, http_status, error, duration_ms)
      values (:deliveryId, :attempt, :outcome, :httpStatus, :error, :durationMs)
      """)
  void insertAttempt(@Bind("deliveryId") String deliveryId, @Bind("attempt") int attempt,
      @Bind("outcome") String outcome, @Bind("httpStatus") Integer httpStatus,
      @Bind("error") String error, @Bind("durationMs") int durationMs);

  @SqlUpdate(
      """
      update webhook_deliveries
         set attempts = attempts + 1, last_status = :httpStatus, last_error = :error,
             state = case when :delivered then 'delivered' else state end,
             delivered_at = case when :delivered then clock_timestamp() else delivered_at end
       where id = :id and state = 'pending'
      """)
  int recordAttempt(@Bind("id") String id, @Bind("httpStatus") Integer httpStatus,
      @Bind("error") String error, @Bind("delivered") boolean delivered);

  @SqlUpdate("update webhook_deliveries set state = 'failed', last_error = :reason where id = :id and state = 'pending'")
  int markFailed(@Bind("id") String id, @Bind("reason") String reason);

  @SqlQuery("select id, delivery_id, attempt, at, outcome, http_status, error, duration_ms"
      + " from webhook_attempts where delivery_id = :deliveryId order by id")
  List<WebhookAttemptRow> attempts(@Bind("deliveryId") String deliveryId);
}
