package dev.interlock.worker;

import dev.interlock.workflows.engine.LeaseActivities;
import dev.interlock.workflows.engine.LeaseWorkflowImpl;
import dev.interlock.workflows.loop.LoopActivities;
import dev.interlock.workflows.loop.LoopWorkflowImpl;
import dev.interlock.workflows.loop.TurnWorkflowImpl;
import dev.interlock.workflows.InterruptActivities;
import dev.interlock.workflows.InterruptWorkflow;
import dev.interlock.workflows.InterruptWorkflowImpl;
import dev.interlock.workflows.WebhookActivities;
import dev.interlock.workflows.WebhookDeliveryWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * The worker's composition root: which workflows and activities poll which task queue.
 * The server runs it in-process by default; {@code java -jar interlock.jar worker config.yml}
 * runs it alone (see the server's WorkerCommand).
 */
public final class InterlockWorker {

  private final WorkerFactory factory;
  private final OutboundPost outbound;

  private InterlockWorker(WorkerFactory factory, OutboundPost outbound) {
    this.factory = factory;
    this.outbound = outbound;
  }

  /** {@code outbound} is the client the activities POST with; stopping the worker closes it. */
  public static InterlockWorker create(WorkflowClient client, String taskQueue,
      InterruptActivities activities, WebhookActivities webhooks, LoopActivities loops,
      LeaseActivities leases, OutboundPost outbound, int maxConcurrentActivities) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(taskQueue == null ? InterruptWorkflow.TASK_QUEUE : taskQueue,
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(maxConcurrentActivities)
            // A turn learns of its cancellation (loopat's POST /interrupt) from the answer
            // to a heartbeat: send them at least every second, not every 30 s.
            .setMaxHeartbeatThrottleInterval(java.time.Duration.ofSeconds(1))
            .build());
    worker.registerWorkflowImplementationTypes(InterruptWorkflowImpl.class,
        WebhookDeliveryWorkflowImpl.class, LoopWorkflowImpl.class, TurnWorkflowImpl.class,
        LeaseWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, webhooks, loops, leases);
    return new InterlockWorker(factory, outbound);
  }

  public void start() {
    factory.start();
  }

  public void stop() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    outbound.close();
  }
}
