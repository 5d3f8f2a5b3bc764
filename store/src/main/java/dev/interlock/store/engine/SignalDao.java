package dev.interlock.store.engine;

import dev.interlock.model.engine.SignalRow;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Loop's signals: storing one (once per delivery), finding a delivery's signal. */
@RegisterConstructorMapper(SignalRow.class)
public interface SignalDao {

  String COLUMNS = "id, owner_id, source, source_id, type, severity, payload, issue_id,"
      + " delivery_key, created_at";

  /** The fields a new signal is made of; the payload as JSON text. */
  record NewSignal(String id, String ownerId, String source, String sourceId, String type,
      String severity, String payloadJson, String issueId, String deliveryKey) {}

  /**
   * Stores the signal, or nothing when its workspace already holds a signal of the same
   * source and delivery key (a redelivery; a concurrent one waits for the first to commit or
   * roll back, then finds it): empty then.
   */
  @SqlQuery("""
      insert into engine_signals (id, owner_id, source, source_id, type, severity, payload,
                                  issue_id, delivery_key)
      values (:s.id, :s.ownerId, :s.source, :s.sourceId, :s.type, :s.severity,
              cast(:s.payloadJson as jsonb), :s.issueId, :s.deliveryKey)
      on conflict (owner_id, source, delivery_key) where delivery_key is not null do nothing
      returning\s""" + COLUMNS)
  Optional<SignalRow> insert(@BindMethods("s") NewSignal signal);

  /** Whether the workspace has this project, not deleted (a signal's issue may join it). */
  @SqlQuery("""
      select exists (select 1 from engine_projects
                      where owner_id = :ownerId and id = :id and deleted_at is null)""")
  boolean liveProject(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** The signal a delivery stored, if it was stored. */
  @SqlQuery("select " + COLUMNS + " from engine_signals"
      + " where owner_id = :ownerId and source = :source and delivery_key = :deliveryKey")
  Optional<SignalRow> byDelivery(@Bind("ownerId") String ownerId, @Bind("source") String source,
      @Bind("deliveryKey") String deliveryKey);
}
