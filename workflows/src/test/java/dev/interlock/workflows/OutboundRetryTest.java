package dev.interlock.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.RetryOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The retry policy of callbacks and webhook deliveries, pinned value by value: the docs
 * promise it to receivers, and the workflow tests only bound it from outside.
 */
class OutboundRetryTest {

  @Test
  void givenOutboundDelivery_thenEachAttemptGets30sAndAllOfThem24h() {
    assertThat(OutboundRetry.WINDOW).isEqualTo(Duration.ofHours(24));
    assertThat(OutboundRetry.OPTIONS.getStartToCloseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(OutboundRetry.OPTIONS.getScheduleToCloseTimeout()).isEqualTo(OutboundRetry.WINDOW);
  }

  @Test
  void givenOutboundDelivery_thenRetriedFrom2sDoublingToAtMost10MinutesButNeverWhenForbidden() {
    RetryOptions retry = OutboundRetry.OPTIONS.getRetryOptions();

    assertThat(retry.getInitialInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(retry.getBackoffCoefficient()).isEqualTo(2.0);
    assertThat(retry.getMaximumInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(retry.getMaximumAttempts()).isZero(); // unlimited: the window ends the retries
    assertThat(retry.getDoNotRetry()).containsExactly(FailureType.CALLBACK_FORBIDDEN.name());
  }
}
