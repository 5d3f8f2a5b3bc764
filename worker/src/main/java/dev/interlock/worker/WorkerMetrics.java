package dev.interlock.worker;

import dev.interlock.model.InterruptRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Set;

/**
 * The product meters of what runs in workers: interrupts leaving pending (decided, expired,
 * cancelled; counted by the one run that changed the row, so each transition once however
 * often an activity is retried), decision latency, policy auto-decisions, callback and
 * webhook attempts, turns and lapsed dispatch leases. Labels come from small fixed sets only
 * (docs/operations.md, Metrics, lists them): never an id, a URL or a message.
 */
public final class WorkerMetrics {

  /** The dialects that create interrupts; any other source is counted as {@code other}. */
  private static final Set<String> DIALECTS =
      Set.of("loopin", "agentgate", "loopgate", "loopat", "loop", "mcp");

  /**
   * Decision latency buckets, from a policy's instant answer to a person who answers days
   * later (Prometheus wants fixed buckets; these cover both ends at a few per decade).
   */
  public static final Duration[] DECISION_BUCKETS = {
      Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
      Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12),
      Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(7)};

  private final MeterRegistry registry;

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    // At zero from the start, so that an alert on any increase has a series to watch.
    for (String kind : new String[] {"callback", "webhook"}) {
      givenUp(kind);
    }
  }

  private Counter givenUp(String kind) {
    return Counter.builder("interlock.deliveries.given.up")
        .description("Callbacks and webhook deliveries given up after their retries")
        .tag("kind", kind).register(registry);
  }

  /** Meters that go nowhere: for activities built without a registry (tests, tools). */
  public static WorkerMetrics none() {
    return new WorkerMetrics(new CompositeMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A known dialect's name, or {@code other}: a label never carries what a client chose. */
  public static String dialect(String source) {
    return source != null && DIALECTS.contains(source) ? source : "other";
  }

  /** Attempt numbers as a bounded label: 1, 2, 3, then 4+. */
  public static String attempt(int attempt) {
    return attempt <= 3 ? Integer.toString(Math.max(attempt, 1)) : "4+";
  }

  /**
   * Counts an interrupt that this run moved out of pending (the row as stored after the
   * change). Decisions also record how long the person (or policy) took.
   */
  public void settled(InterruptRow row) {
    String dialect = dialect(row.source());
    switch (row.status()) {
      case "approved", "rejected" -> {
        Counter.builder("interlock.interrupts.decided")
            .description("Interrupts decided, by the dialect that created them and the decision")
            .tag("dialect", dialect).tag("outcome", row.status())
            .register(registry).increment();
        if (row.createdAt() != null && row.decidedAt() != null) {
          Timer.builder("interlock.decision.latency")
              .description("From an interrupt's creation to its decision")
              .tag("dialect", dialect)
              .serviceLevelObjectives(DECISION_BUCKETS)
              .register(registry)
              .record(nonNegative(Duration.between(row.createdAt(), row.decidedAt())));
        }
        if (row.decidedById() != null && row.decidedById().startsWith("policy:")) {
          Counter.builder("interlock.policy.decisions")
              .description("Interrupts a policy decided without a person")
              .tag("outcome", row.status())
              .register(registry).increment();
        }
      }
      case "expired" -> Counter.builder("interlock.interrupts.expired")
          .description("Interrupts whose deadline passed undecided")
          .tag("dialect", dialect).register(registry).increment();
      case "cancelled" -> Counter.builder("interlock.interrupts.cancelled")
          .description("Interrupts withdrawn by their agent (or their turn's end)")
          .tag("dialect", dialect).register(registry).increment();
      default -> { }
    }
  }

  /** One callback POST (or refusal to send it); result delivered, failed or blocked. */
  public void callbackAttempt(String result, int attempt) {
    Counter.builder("interlock.callback.attempts")
        .description("Callback deliveries to an interrupt's callbackUrl, by result and attempt")
        .tag("result", result).tag("attempt", attempt(attempt))
        .register(registry).increment();
  }

  /** One webhook delivery attempt; result delivered, failed, blocked or cancelled. */
  public void webhookAttempt(String result, int attempt) {
    Counter.builder("interlock.webhook.attempts")
        .description("Webhook delivery attempts, by result and attempt")
        .tag("result", result).tag("attempt", attempt(attempt))
        .register(registry).increment();
  }

  /** A callback or webhook delivery given up after its retries (or refused for good). */
  public void deliveryGivenUp(String kind) {
    givenUp(kind).increment();
  }

  /** A turn of a loop ended: done, error or interrupted. */
  public void turnEnded(String status) {
    Counter.builder("interlock.turns.ended")
        .description("Turns of loopat loops that ended, by how")
        .tag("status", switch (status == null ? "" : status) {
          case "done", "error", "interrupted" -> status;
          default -> "other";
        })
        .register(registry).increment();
  }

  /** A Loop dispatch claim's lease ran out and its issue went back to the queue. */
  public void leaseLapsed() {
    Counter.builder("interlock.dispatch.leases.lapsed")
        .description("Dispatch claims whose lease ran out without a sign from the agent")
        .register(registry).increment();
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
