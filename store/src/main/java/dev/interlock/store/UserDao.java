package dev.interlock.store;

import dev.interlock.model.UserRow;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(UserRow.class)
public interface UserDao {

  /** 0 when the username is taken, in any letter case (the unique index decides). */
  @SqlUpdate(
      """
      insert into users (id, username, password_hash) values (:id, :username, :passwordHash)
      on conflict do nothing
      """)
  int insert(@Bind("id") UUID id, @Bind("username") String username,
      @Bind("passwordHash") String passwordHash);

  @SqlQuery(
      """
      select id, username, password_hash, created_at from users
       where lower(username) = lower(:username)
      """)
  Optional<UserRow> findByUsername(@Bind("username") String username);

  @SqlQuery("select id, username, password_hash, created_at from users where id = :id")
  Optional<UserRow> findById(@Bind("id") UUID id);

  /** Sets the password of an existing user (the bootstrap admin). */
  @SqlUpdate("update users set password_hash = :passwordHash where id = :id")
  int setPassword(@Bind("id") UUID id, @Bind("passwordHash") String passwordHash);
}
