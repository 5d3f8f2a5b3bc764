package dev.interlock.server.service;

/**
 * A webhook's id as a client sent it ({@code wh_} and 20 hex digits). Jersey builds it from a
 * path parameter ({@link #valueOf}); one that is not well formed names no webhook, so lookups
 * by it answer "not found" in the dialect's words without a query.
 */
public record WebhookId(String value) {

  public static WebhookId valueOf(String raw) {
    return new WebhookId(raw);
  }

  /** Whether the id can name a webhook at all. */
  public boolean wellFormed() {
    return PrefixedId.wellFormed(value, "wh_");
  }

  @Override
  public String toString() {
    return value;
  }
}
