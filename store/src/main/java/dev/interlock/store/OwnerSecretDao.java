package dev.interlock.store;

import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface OwnerSecretDao {

  /** Stores the secret unless the owner has one already (first writer wins). */
  @SqlUpdate(
      """
      insert into owner_secrets (owner_id, callback_secret) values (:ownerId, :secret)
      on conflict (owner_id) do nothing
      """)
  int insertIfAbsent(@Bind("ownerId") String ownerId, @Bind("secret") String secret);

  @SqlQuery("select callback_secret from owner_secrets where owner_id = :ownerId")
  Optional<String> callbackSecret(@Bind("ownerId") String ownerId);
}
