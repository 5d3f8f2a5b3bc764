package dev.interlock.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Delivers one event to one webhook, retrying with exponential backoff for 24 hours. One
 * workflow per delivery (id derived from the delivery id), so a delivery survives restarts
 * and a failed one can be replayed as a new delivery.
 */
@WorkflowInterface
public interface WebhookDeliveryWorkflow {

  static String workflowId(String deliveryId) {
    return "webhook-delivery-" + deliveryId;
  }

  @WorkflowMethod
  void deliver(DeliveryRequest request);
}
