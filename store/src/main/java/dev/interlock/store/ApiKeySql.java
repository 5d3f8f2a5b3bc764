package dev.interlock.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The key lookup every authenticated request makes, on JDBI's fluent API for the reason
 * given in {@link InterruptSql}. The rest is in {@link ApiKeyDao}.
 */
public final class ApiKeySql {

  private ApiKeySql() {}

  public static Optional<ApiKeyRow> findByHash(Handle h, String hash) {
    return h.createQuery("select " + ApiKeyDao.COLUMNS + " from api_keys where key_hash = :hash")
        .bind("hash", hash)
        .map((rs, ctx) -> row(rs))
        .findOne();
  }

  private static ApiKeyRow row(ResultSet rs) throws SQLException {
    Array scopes = rs.getArray("scopes");
    return new ApiKeyRow(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"),
        rs.getString("key_hash"), rs.getString("key_prefix"),
        scopes == null ? List.of() : List.of((String[]) scopes.getArray()),
        instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"),
        instant(rs, "last_used_at"), rs.getString("label"), rs.getObject("rate_limit", Integer.class));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
