package dev.interlock.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One webhook delivery: retried with backoff, given up on after 24 h, never retried when forbidden. */
class WebhookDeliveryWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .registerWorkflowImplementationTypes(WebhookDeliveryWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  static final class Recording implements WebhookActivities {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    volatile IntFunction<RuntimeException> outcome = attempt -> null;

    @Override
    public void deliverWebhook(DeliveryRequest request) {
      calls.add("deliver");
      RuntimeException failure = outcome.apply(attempts.incrementAndGet());
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public void markDeliveryFailed(DeliveryFailure failure) {
      calls.add("failed:" + failure.reason());
    }
  }

  private final Recording activities = new Recording();

  private void run(TestWorkflowEnvironment env, Worker worker, WorkflowClient client,
      WorkflowOptions options) {
    worker.registerActivitiesImplementations(activities);
    env.start();
    WebhookDeliveryWorkflow workflow = client.newWorkflowStub(WebhookDeliveryWorkflow.class, options);
    workflow.deliver(new DeliveryRequest("dlv_test"));
  }

  @Test
  void givenReceiverFailingTwice_whenDelivered_thenThirdAttemptSucceedsAndNothingMarkedFailed(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    activities.outcome = attempt -> attempt <= 2
        ? ApplicationFailure.newFailure("HTTP 500", FailureType.CALLBACK_FAILED.name()) : null;
    run(env, worker, client, options);
    assertThat(activities.calls).containsExactly("deliver", "deliver", "deliver");
  }

  @Test
  void givenReceiverAlwaysFailing_whenDelivered_thenGivenUpAfterTheWindowAndMarkedFailed(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    activities.outcome = attempt ->
        ApplicationFailure.newFailure("HTTP 503", FailureType.CALLBACK_FAILED.name());
    long before = env.currentTimeMillis();
    run(env, worker, client, options);
    assertThat(activities.calls).last().asString().startsWith("failed:").contains("HTTP 503");
    // 2 s doubling to at most 10 min apart over 24 h: well over a hundred attempts.
    assertThat(activities.attempts.get()).isGreaterThan(100);
    // Temporal gives up when the next backoff (up to 10 min) would pass the window.
    assertThat(env.currentTimeMillis() - before).isGreaterThanOrEqualTo(
        OutboundRetry.WINDOW.minusMinutes(11).toMillis());
  }

  @Test
  void givenForbiddenTarget_whenDelivered_thenNotRetried(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    activities.outcome = attempt -> ApplicationFailure.newNonRetryableFailure(
        "private address", FailureType.CALLBACK_FORBIDDEN.name());
    run(env, worker, client, options);
    assertThat(activities.calls).containsExactly("deliver", "failed:private address");
  }
}
