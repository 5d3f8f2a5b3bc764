package dev.interlock.workflows;

import io.temporal.activity.ActivityInterface;

/** Outbound webhook deliveries. Idempotent: a delivered delivery is never sent again. */
@ActivityInterface
public interface WebhookActivities {

  /** One signed POST of the stored payload; throws to be retried on a failed attempt. */
  void deliverWebhook(DeliveryRequest request);

  void markDeliveryFailed(DeliveryFailure failure);
}
