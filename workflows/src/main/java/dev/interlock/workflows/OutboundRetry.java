package dev.interlock.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * How a POST to a customer's endpoint is retried: an interrupt's outcome callback and a webhook
 * delivery alike. Each attempt may take 30 s; attempts start 2 s apart, doubling to at most
 * 10 minutes apart, until {@link #WINDOW} has passed; a forbidden target is never retried.
 * Defined once so that the two deliveries, which the docs describe as one policy, cannot drift.
 */
final class OutboundRetry {

  /** Outbound POSTs are retried with exponential backoff for this long before we give up. */
  static final Duration WINDOW = Duration.ofHours(24);

  static final ActivityOptions OPTIONS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(WINDOW)
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(10))
                  .setDoNotRetry(FailureType.CALLBACK_FORBIDDEN.name())
                  .build())
          .build();

  private OutboundRetry() {}
}
