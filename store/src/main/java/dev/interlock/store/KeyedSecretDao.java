package dev.interlock.store;

import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * A table of secrets, one per key, where the first writer wins: the shape that
 * {@link OwnerSecretDao} and {@link ServerSecretDao} share. Each names its table and columns
 * with {@code @Definition}s on its own type; they are constants, never input. JDBI still marks
 * {@code @Definition} as beta: KeyedSecretDaoTest fails if it stops reaching inherited methods.
 */
public interface KeyedSecretDao {

  /** Stores the secret unless the key has one already (first writer wins); 1 if stored. */
  @SqlUpdate(
      """
      insert into <table> (<keyColumn>, <secretColumn>) values (:key, :secret)
      on conflict (<keyColumn>) do nothing
      """)
  int insertIfAbsent(@Bind("key") String key, @Bind("secret") String secret);

  @SqlQuery("select <secretColumn> from <table> where <keyColumn> = :key")
  Optional<String> find(@Bind("key") String key);
}
