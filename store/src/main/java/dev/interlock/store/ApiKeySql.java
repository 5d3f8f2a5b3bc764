package dev.interlock.store;

import dev.interlock.model.ApiKeyRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The key lookup every authenticated request makes, on JDBI's fluent API for the reason
 * given in {@link InterruptSql}. The rest is in {@link ApiKeyDao}.
 */
public final class ApiKeySql {

  private ApiKeySql() {}

  /** How a key is stored: the SHA-256 of its plaintext, in hex. */
  public static String sha256Hex(String key) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Optional<ApiKeyRow> findByHash(Handle h, String hash) {
    return h.createQuery("select " + ApiKeyDao.COLUMNS + " from api_keys where key_hash = :hash")
        .bind("hash", hash)
        .map((rs, ctx) -> row(rs))
        .findOne();
  }

  private static ApiKeyRow row(ResultSet rs) throws SQLException {
    return new ApiKeyRow(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"),
        rs.getString("key_hash"), rs.getString("key_prefix"),
        Columns.strings(rs, "scopes"), Columns.instant(rs, "created_at"),
        Columns.instant(rs, "expires_at"), Columns.instant(rs, "revoked_at"),
        Columns.instant(rs, "last_used_at"), rs.getString("label"), rs.getObject("rate_limit", Integer.class),
        rs.getObject("created_by", java.util.UUID.class));
  }
}
