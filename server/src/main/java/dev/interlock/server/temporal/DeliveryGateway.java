package dev.interlock.server.temporal;

import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.workflows.DeliveryRequest;
import dev.interlock.workflows.WebhookDeliveryWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.concurrent.atomic.LongAdder;

/**
 * Starts the delivery workflow of stored deliveries: the gateway to Temporal for webhooks, as
 * {@link InterruptGateway} is for interrupts. Idempotent (the workflow id is the delivery's),
 * so the outbox can be drained again after a crash; a start that fails leaves the delivery
 * pending for the next recovery pass.
 */
public final class DeliveryGateway implements Deliveries {

  private final WorkflowClient client;
  private final String taskQueue;
  private final LongAdder starts;

  public DeliveryGateway(WorkflowClient client, String taskQueue) {
    this(client, taskQueue, new LongAdder());
  }

  /** @param starts counts the workflows started (shared by the starters of one process) */
  public DeliveryGateway(WorkflowClient client, String taskQueue, LongAdder starts) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.starts = starts;
  }

  @Override
  public boolean start(String deliveryId) {
    WebhookDeliveryWorkflow stub = client.newWorkflowStub(WebhookDeliveryWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(WebhookDeliveryWorkflow.workflowId(deliveryId))
            .setTaskQueue(taskQueue)
            .build());
    try {
      WorkflowClient.start(stub::deliver, new DeliveryRequest(deliveryId));
      starts.increment();
      return true;
    } catch (WorkflowExecutionAlreadyStarted e) {
      return false;
    }
  }
}
