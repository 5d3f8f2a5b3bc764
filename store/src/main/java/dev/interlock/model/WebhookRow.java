package dev.interlock.model;

import java.time.Instant;
import java.util.List;

/**
 * A webhook subscription. The secret is kept because every delivery is signed with it.
 * {@code active} is false once deleted; {@code enabled} is the owner's on/off switch.
 */
public record WebhookRow(String id, String ownerId, String url, List<String> events,
    String secret, boolean active, boolean enabled, Instant createdAt) {

  /** Whether an event is delivered to this webhook: not deleted, enabled, subscribed. */
  public boolean wants(String event) {
    return active && enabled && (events.contains("*") || events.contains(event));
  }
}
