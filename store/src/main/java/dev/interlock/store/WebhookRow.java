package dev.interlock.store;

import java.time.Instant;
import java.util.List;

/** A webhook subscription. The secret is kept because every delivery is signed with it. */
public record WebhookRow(String id, String ownerId, String url, List<String> events,
    String secret, boolean active, Instant createdAt) {

  public boolean wants(String event) {
    return active && (events.contains("*") || events.contains(event));
  }
}
