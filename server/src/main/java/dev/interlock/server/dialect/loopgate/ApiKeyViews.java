package dev.interlock.server.dialect.loopgate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.ApiKeys;
import dev.interlock.model.ApiKeyRow;
import dev.interlock.model.IsoTimes;
import java.util.List;

/**
 * Renders API keys in Loopgate's words ({@code /api/user/apikeys}). {@code scopes} and
 * {@code rate_limit} are Interlock extensions; clients that do not know them ignore them.
 */
public final class ApiKeyViews {

  private final ObjectMapper json;
  private final ApiKeys keys;

  public ApiKeyViews(ObjectMapper json, ApiKeys keys) {
    this.json = json;
    this.keys = keys;
  }

  /** The answer to a create: the only place the raw key ever appears. */
  public ObjectNode created(ApiKeys.Issued issued) {
    ApiKeyRow k = issued.row();
    ObjectNode n = json.createObjectNode();
    n.put("id", k.id());
    n.put("raw_key", issued.rawKey());
    n.put("label", k.label());
    n.put("prefix", k.keyPrefix());
    n.put("expires_at", IsoTimes.format(k.expiresAt()));
    n.put("created_at", IsoTimes.format(k.createdAt()));
    extensions(n, k);
    return n;
  }

  public ArrayNode list(List<ApiKeyRow> rows) {
    ArrayNode a = json.createArrayNode();
    for (ApiKeyRow k : rows) {
      ObjectNode n = a.addObject();
      n.put("id", k.id());
      n.put("label", k.label());
      n.put("prefix", k.keyPrefix());
      n.put("last_used_at", IsoTimes.format(k.lastUsedAt()));
      n.put("expires_at", IsoTimes.format(k.expiresAt()));
      n.put("created_at", IsoTimes.format(k.createdAt()));
      n.put("is_active", keys.isActive(k));
      extensions(n, k);
    }
    return a;
  }

  public ObjectNode message(String text) {
    return json.createObjectNode().put("message", text);
  }

  private static void extensions(ObjectNode n, ApiKeyRow k) {
    ArrayNode scopes = n.putArray("scopes");
    k.scopes().forEach(scopes::add);
    n.put("rate_limit", k.rateLimit());
  }
}
