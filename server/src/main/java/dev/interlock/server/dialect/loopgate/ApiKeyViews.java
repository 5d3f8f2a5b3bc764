package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.auth.ApiKeys;
import java.util.List;

/**
 * API keys in Loopgate's words ({@code /api/user/apikeys}); every field is always there,
 * null or not. {@code scopes} and {@code rate_limit} are Interlock extensions; clients that
 * do not know them ignore them.
 */
public final class ApiKeyViews {

  private final ApiKeys keys;

  public ApiKeyViews(ApiKeys keys) {
    this.keys = keys;
  }

  /** The answer to a create: the only place the raw key ever appears. */
  @JsonPropertyOrder({"id", "raw_key", "label", "prefix", "expires_at", "created_at", "scopes",
      "rate_limit"})
  public record CreatedKey(
      String id,
      @JsonProperty("raw_key") String rawKey,
      String label,
      String prefix,
      @JsonProperty("expires_at") String expiresAt,
      @JsonProperty("created_at") String createdAt,
      List<String> scopes,
      @JsonProperty("rate_limit") Integer rateLimit) {}

  /** A key as listed: never the key itself. */
  @JsonPropertyOrder({"id", "label", "prefix", "last_used_at", "expires_at", "created_at",
      "is_active", "scopes", "rate_limit"})
  public record KeyView(
      String id,
      String label,
      String prefix,
      @JsonProperty("last_used_at") String lastUsedAt,
      @JsonProperty("expires_at") String expiresAt,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("is_active") boolean active,
      List<String> scopes,
      @JsonProperty("rate_limit") Integer rateLimit) {}

  /** What was done. */
  public record Message(String message) {}

  public CreatedKey created(ApiKeys.Issued issued) {
    ApiKeyRow k = issued.row();
    return new CreatedKey(k.id(), issued.rawKey(), k.label(), k.keyPrefix(),
        IsoTimes.format(k.expiresAt()), IsoTimes.format(k.createdAt()), k.scopes(),
        k.rateLimit());
  }

  public List<KeyView> list(List<ApiKeyRow> rows) {
    return rows.stream().map(k -> new KeyView(k.id(), k.label(), k.keyPrefix(),
        IsoTimes.format(k.lastUsedAt()), IsoTimes.format(k.expiresAt()),
        IsoTimes.format(k.createdAt()), keys.isActive(k), k.scopes(), k.rateLimit())).toList();
  }
}
