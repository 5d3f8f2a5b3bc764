package dev.interlock.worker.webhook;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the delivery workflows of stored deliveries (the outbox's second half). The server's
 * Temporal gateway implements it; whoever writes deliveries (a transition, the expiry sweep,
 * a replay) hands their ids here after the commit.
 */
public interface Deliveries {

  /**
   * Starts the delivery's workflow; true if started now, false if it exists already. Must be
   * idempotent (the workflow id is the delivery's), so the outbox can be drained again.
   */
  boolean start(String deliveryId);

  /** Starts what it can; failures are logged and left to the next recovery pass. */
  default void startAll(Collection<String> deliveryIds) {
    for (String id : deliveryIds) {
      try {
        start(id);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Deliveries.class).warn(
            "webhook delivery {} not started yet ({}); recovery will start it", id,
            e.getMessage());
      }
    }
  }
}
