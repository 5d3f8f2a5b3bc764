package dev.interlock.store;

import dev.interlock.model.HitlSessionRow;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(HitlSessionRow.class)
public interface HitlSessionDao {

  String COLUMNS = "owner_id, session_id, client_id, telegram_id, active, created_at, updated_at";

  /** Registers a session, or re-registers (and re-activates) an existing one. */
  @SqlUpdate(
      """
      insert into hitl_sessions (owner_id, session_id, client_id, telegram_id)
      values (:ownerId, :sessionId, :clientId, :telegramId)
      on conflict (owner_id, session_id) do update
         set client_id = excluded.client_id, telegram_id = excluded.telegram_id,
             active = true, updated_at = now()
      """)
  void register(@Bind("ownerId") String ownerId, @Bind("sessionId") String sessionId,
      @Bind("clientId") String clientId, @Bind("telegramId") Long telegramId);

  @SqlQuery("select " + COLUMNS + " from hitl_sessions where owner_id = :ownerId and session_id = :sessionId")
  Optional<HitlSessionRow> find(@Bind("ownerId") String ownerId, @Bind("sessionId") String sessionId);

  @SqlUpdate(
      """
      update hitl_sessions set active = false, updated_at = now()
       where owner_id = :ownerId and session_id = :sessionId
      """)
  int deactivate(@Bind("ownerId") String ownerId, @Bind("sessionId") String sessionId);
}
