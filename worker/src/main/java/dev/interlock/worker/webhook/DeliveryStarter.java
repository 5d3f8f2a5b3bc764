package dev.interlock.worker.webhook;

import dev.interlock.workflows.DeliveryRequest;
import dev.interlock.workflows.WebhookDeliveryWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the delivery workflow of stored deliveries. Idempotent (the workflow id is the
 * delivery's), so the outbox can be drained again after a crash; a start that fails leaves
 * the delivery pending for the next recovery pass.
 */
public final class DeliveryStarter {

  private static final Logger log = LoggerFactory.getLogger(DeliveryStarter.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final LongAdder starts;

  public DeliveryStarter(WorkflowClient client, String taskQueue) {
    this(client, taskQueue, new LongAdder());
  }

  /** @param starts counts the workflows started (shared by the starters of one process) */
  public DeliveryStarter(WorkflowClient client, String taskQueue, LongAdder starts) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.starts = starts;
  }

  /** Returns true if the workflow was started now (false: it exists already). */
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

  /** Starts what it can; failures are logged and left to recovery. */
  public void startAll(Collection<String> deliveryIds) {
    for (String id : deliveryIds) {
      try {
        start(id);
      } catch (RuntimeException e) {
        log.warn("webhook delivery {} not started yet ({}); recovery will start it", id, e.getMessage());
      }
    }
  }
}
