package dev.interlock.store;

import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface ServerSecretDao {

  /** Stores the secret unless one of that name exists (first writer wins). */
  @SqlUpdate(
      """
      insert into server_secrets (name, value) values (:name, :value)
      on conflict (name) do nothing
      """)
  int insertIfAbsent(@Bind("name") String name, @Bind("value") String value);

  @SqlQuery("select value from server_secrets where name = :name")
  Optional<String> find(@Bind("name") String name);
}
