package dev.interlock.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class WebhookDeliveryWorkflowImpl implements WebhookDeliveryWorkflow {

  public static final Duration RETRY_WINDOW = Duration.ofHours(24);

  private final WebhookActivities deliveries = Workflow.newActivityStub(WebhookActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(RETRY_WINDOW)
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofSeconds(2))
              .setBackoffCoefficient(2.0)
              .setMaximumInterval(Duration.ofMinutes(10))
              .setDoNotRetry(FailureType.CALLBACK_FORBIDDEN.name())
              .build())
          .build());

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
