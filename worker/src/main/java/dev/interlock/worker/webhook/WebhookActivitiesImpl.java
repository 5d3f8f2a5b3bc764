package dev.interlock.worker.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.store.WebhookDao;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.model.WebhookRow;
import dev.interlock.worker.CallbackTargetGuard;
import dev.interlock.worker.OutboundPost;
import dev.interlock.workflows.DeliveryFailure;
import dev.interlock.workflows.DeliveryRequest;
import dev.interlock.workflows.FailureType;
import dev.interlock.workflows.WebhookActivities;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import dev.interlock.worker.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One signed POST per attempt; every attempt recorded in webhook_attempts. */
public class WebhookActivitiesImpl implements WebhookActivities {

  private static final Logger log = LoggerFactory.getLogger(WebhookActivitiesImpl.class);

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final OutboundPost outbound;
  private final CallbackTargetGuard guard;
  private final Clock clock;
  private final Duration requestTimeout;
  private final WorkerMetrics metrics;

  public WebhookActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout) {
    this(jdbi, json, outbound, guard, clock, requestTimeout, WorkerMetrics.none());
  }

  public WebhookActivitiesImpl(Jdbi jdbi, ObjectMapper json, OutboundPost outbound,
      CallbackTargetGuard guard, Clock clock, Duration requestTimeout, WorkerMetrics metrics) {
    this.metrics = metrics;
    this.jdbi = jdbi;
    this.json = json;
    this.outbound = outbound;
    this.guard = guard;
    this.clock = clock;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public void deliverWebhook(DeliveryRequest request) {
    String id = request.deliveryId();
    WebhookDeliveryRow delivery = jdbi.withExtension(WebhookDao.class, d -> d.findDelivery(id))
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
            "delivery " + id + " is not in the store", FailureType.UNKNOWN_INTERRUPT.name()));
    if (!"pending".equals(delivery.state())) {
      return; // delivered (or given up) already: a retry of a finished attempt
    }
    WebhookRow hook = jdbi.withExtension(WebhookDao.class, d -> d.find(delivery.webhookId()))
        .orElseThrow();
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    if (!hook.active() || !hook.enabled()) {
      // Deleted, or switched off after the event was recorded: the delivery is given up, as
      // the ones it owed when it was switched off were.
      String why = hook.active() ? "webhook disabled" : "webhook deleted";
      record(id, attempt, "cancelled", null, why, 0);
      metrics.webhookAttempt("cancelled", attempt);
      jdbi.useExtension(WebhookDao.class, d -> d.markFailed(id, why));
      return;
    }
    CallbackTargetGuard.Target target;
    try {
      target = guard.target(hook.url());
    } catch (CallbackTargetGuard.ForbiddenTarget e) {
      record(id, attempt, "blocked", null, e.getMessage(), 0);
      metrics.webhookAttempt("blocked", attempt);
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(),
          FailureType.CALLBACK_FORBIDDEN.name());
    }
    String body;
    try {
      body = json.writeValueAsString(delivery.payload());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    Map<String, String> headers = WebhookSigner.headers(hook.secret(), timestamp, body,
        delivery.event());
    headers.put("X-AgentGate-Delivery", id);
    OutboundPost.Attempt sent = outbound.send(target, requestTimeout, headers, body);
    record(id, attempt, sent.outcome(), sent.status(), sent.error(), sent.millis());
    metrics.webhookAttempt(sent.outcome(), attempt);
    sent.throwIfFailed("webhook", target.uri().getHost());
    log.info("webhook delivery {} ({}) delivered to {} on attempt {}", id, delivery.event(),
        target.uri().getHost(), attempt);
  }

  @Override
  public void markDeliveryFailed(DeliveryFailure failure) {
    if (jdbi.withExtension(WebhookDao.class,
        d -> d.markFailed(failure.deliveryId(), failure.reason())) == 1) {
      metrics.deliveryGivenUp("webhook");
    }
  }

  private void record(String id, int attempt, String outcome, Integer status, String error, int millis) {
    boolean delivered = "delivered".equals(outcome);
    jdbi.useTransaction(h -> {
      WebhookDao dao = h.attach(WebhookDao.class);
      dao.insertAttempt(id, attempt, outcome, status, error, millis);
      dao.recordAttempt(id, status, error, delivered);
    });
  }

}
