package dev.interlock.store;

import dev.interlock.model.ApiKeyRow;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(ApiKeyRow.class)
public interface ApiKeyDao {

  String COLUMNS =
      "id, owner_id, name, key_hash, key_prefix, scopes, created_at, expires_at, revoked_at,"
          + " last_used_at, label, rate_limit, created_by";

  @SqlUpdate(
      """
      insert into api_keys (id, owner_id, name, key_hash, key_prefix, scopes, expires_at)
      values (:id, :ownerId, :name, :keyHash, :keyPrefix, :scopes, :expiresAt)
      on conflict (key_hash) do nothing
      """)
  int insert(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("name") String name,
      @Bind("keyHash") String keyHash, @Bind("keyPrefix") String keyPrefix,
      @Bind("scopes") String[] scopes, @Bind("expiresAt") Instant expiresAt);

  /** Stores a key with every attribute and returns it as stored (with its created_at). */
  @SqlQuery(
      """
      insert into api_keys (id, owner_id, name, key_hash, key_prefix, scopes, expires_at, label,
                            rate_limit, created_by)
      values (:id, :ownerId, :name, :keyHash, :keyPrefix, :scopes, :expiresAt, :label, :rateLimit,
              :createdBy)
      returning\s"""
          + COLUMNS)
  ApiKeyRow create(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("name") String name, @Bind("keyHash") String keyHash,
      @Bind("keyPrefix") String keyPrefix, @Bind("scopes") String[] scopes,
      @Bind("expiresAt") Instant expiresAt, @Bind("label") String label,
      @Bind("rateLimit") Integer rateLimit, @Bind("createdBy") java.util.UUID createdBy);

  /** The username of the user who minted the key, if a user did. */
  @SqlQuery("select u.username from api_keys k join users u on u.id = k.created_by"
      + " where k.id = :id")
  java.util.Optional<String> creatorName(@Bind("id") String id);

  @SqlQuery("select count(*) from api_keys")
  long count();

  @SqlQuery("select " + COLUMNS + " from api_keys where owner_id = :ownerId order by created_at")
  List<ApiKeyRow> listForOwner(@Bind("ownerId") String ownerId);

  /**
   * Revokes the owner's key; 0 when no such key belongs to the owner. Revoking a revoked
   * key again keeps the first revocation time.
   */
  @SqlUpdate(
      """
      update api_keys set revoked_at = coalesce(revoked_at, :at)
       where id = :id and owner_id = :ownerId
      """)
  int revoke(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("at") Instant at);

  /** Batched by the caller so a request never writes on the hot path. */
  @SqlUpdate(
      """
      update api_keys set last_used_at = greatest(coalesce(last_used_at, :at), :at)
       where id in (<ids>)
      """)
  int touch(@BindList("ids") Collection<String> ids, @Bind("at") Instant at);
}
