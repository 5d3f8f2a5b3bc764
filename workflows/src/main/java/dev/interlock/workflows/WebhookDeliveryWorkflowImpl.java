package dev.interlock.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class WebhookDeliveryWorkflowImpl implements WebhookDeliveryWorkflow {

  private final WebhookActivities deliveries =
      Workflow.newActivityStub(WebhookActivities.class, OutboundRetry.OPTIONS);

  private final WebhookActivities bookkeeping = Workflow.newActivityStub(WebhookActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(15))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofMillis(200))
              .setMaximumInterval(Duration.ofSeconds(10))
              .build())
          .build());

  @Override
  public void deliver(DeliveryRequest request) {
    try {
      deliveries.deliverWebhook(request);
    } catch (ActivityFailure e) {
      String reason = e.getCause() instanceof ApplicationFailure failure
          ? failure.getOriginalMessage() : String.valueOf(e.getCause().getMessage());
      bookkeeping.markDeliveryFailed(new DeliveryFailure(request.deliveryId(), reason));
    }
  }
}
