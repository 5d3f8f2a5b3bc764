package dev.interlock.server.metrics;

import dev.interlock.worker.WorkerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's product meters, in one place: interrupts created, pending (read from the
 * store), how fast a waiter wakes after a decision, waiters open, rate-limit refusals, MCP
 * tool calls, loops and dispatch claims. What workers count (decisions, expiries, callbacks,
 * webhooks, turns) is in {@link WorkerMetrics}, on the same registry. Every label comes from
 * a small fixed set (docs/operations.md, Metrics): never an id, a URL or a message.
 */
public final class InterlockMetrics {

  /** Where a waiting agent (or page) hears of a decision. */
  public enum Waiter {
    LONG_POLL("long_poll"), SSE("sse"), MCP("mcp");

    final String label;

    Waiter(String label) {
      this.label = label;
    }
  }

  /**
   * Wake latency buckets: the promise is tens of milliseconds (ARCHITECTURE.md, guarantee 6);
   * the upper ones show a waiter that only woke on its next re-read.
   */
  static final Duration[] WAKE_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  /** How long the pending count may be reused: a scrape never costs more than one count. */
  static final Duration PENDING_CACHE = Duration.ofSeconds(5);

  private final MeterRegistry registry;
  private final WorkerMetrics worker;
  private final Clock clock;
  private final AtomicInteger[] waiting = new AtomicInteger[Waiter.values().length];
  /** Held here: a gauge keeps only a weak reference to what it reads. */
  private volatile CachedCount pending;

  public InterlockMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.worker = new WorkerMetrics(registry);
    this.clock = clock;
    for (Waiter w : Waiter.values()) {
      AtomicInteger open = new AtomicInteger();
      waiting[w.ordinal()] = open;
      Gauge.builder("interlock.waiters.open", open, AtomicInteger::get)
          .description("Requests and streams held open waiting for a decision, by kind")
          .tag("kind", w.label)
          .register(registry);
    }
  }

  /** Meters that go nowhere (tests and tools that build services without a registry). */
  public static InterlockMetrics none() {
    return new InterlockMetrics(new CompositeMeterRegistry(), Clock.systemUTC());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The workers' meters on the same registry (for an in-process worker and the sweep). */
  public WorkerMetrics worker() {
    return worker;
  }

  /**
   * The pending-interrupts gauge. {@code count} is one indexed count in the store; it runs at
   * most once per {@link #PENDING_CACHE}, on the scraping thread.
   */
  public void pendingFrom(LongSupplier count) {
    CachedCount cached = new CachedCount(count, clock, PENDING_CACHE);
    this.pending = cached;
    Gauge.builder("interlock.interrupts.pending", cached, CachedCount::get)
        .description("Interrupts waiting for a decision, in the whole store (cached 5 s)")
        .register(registry);
  }

  /**
   * A new interrupt was stored (not an idempotent repeat). Not "interrupts.created": the
   * Prometheus client reserves the {@code _created} suffix (OpenMetrics' created timestamps)
   * and would strip it.
   */
  public void created(String source) {
    Counter.builder("interlock.interrupts.creations")
        .description("Interrupts created, by the dialect (or MCP) that created them")
        .tag("dialect", WorkerMetrics.dialect(source))
        .register(registry).increment();
  }

  /** A waiter starts holding; close the returned handle exactly once when it ends. */
  public Runnable waiting(Waiter kind) {
    AtomicInteger open = waiting[kind.ordinal()];
    open.incrementAndGet();
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        open.decrementAndGet();
      }
    };
  }

  /**
   * A waiter that held while the interrupt was decided has it in hand now: records decision →
   * wake. A decision taken before the wait began is no wake and is not recorded.
   */
  public void woke(Waiter kind, Instant waitingSince, Instant decidedAt) {
    if (decidedAt == null || waitingSince == null || decidedAt.isBefore(waitingSince)) {
      return;
    }
    Duration latency = Duration.between(decidedAt, clock.instant());
    Timer.builder("interlock.wake.latency")
        .description("From a decision being recorded to a waiting client having it, by waiter")
        .tag("waiter", kind.label)
        .serviceLevelObjectives(WAKE_BUCKETS)
        .register(registry)
        .record(latency.isNegative() ? Duration.ZERO : latency);
  }

  /**
   * A request refused by a rate limit; {@code bucket} is the kind of bucket (key,
   * login-address, login-user, register-address), a word of the code, not of a client.
   */
  public void rateLimited(String bucket) {
    Counter.builder("interlock.rate.limited")
        .description("Requests refused with 429, by the limit that refused them")
        .tag("limit", switch (bucket) {
          case "key" -> "api_key";
          case "login-address", "login-user", "register-address" -> bucket.replace('-', '_');
          default -> "other";
        })
        .register(registry).increment();
  }

  /** One MCP tool call and how it ended: ok, error (a domain error), denied or failed. */
  public void mcpToolCall(String tool, String result) {
    Counter.builder("interlock.mcp.tool.calls")
        .description("MCP tool calls, by tool and result")
        .tag("tool", tool).tag("result", result)
        .register(registry).increment();
  }

  /** A loopat loop was created. */
  public void loopCreated() {
    Counter.builder("interlock.loops.creations").description("loopat loops created")
        .register(registry).increment();
  }

  /** A message was queued as a turn of a loop. */
  public void turnQueued() {
    Counter.builder("interlock.turns.queued").description("Turns queued on loopat loops")
        .register(registry).increment();
  }

  /** An agent claimed a Loop issue (dispatch/next or loop_get_next_task). */
  public void dispatchClaimed() {
    Counter.builder("interlock.dispatch.claims")
        .description("Loop issues claimed by agents through dispatch")
        .register(registry).increment();
  }

  /** A count read at most once per period; the last value in between. */
  static final class CachedCount {
    private static final Logger LOG = LoggerFactory.getLogger(CachedCount.class);
    private final LongSupplier count;
    private final Clock clock;
    private final Duration period;
    private Instant readAt;
    private double value = Double.NaN;

    CachedCount(LongSupplier count, Clock clock, Duration period) {
      this.count = count;
      this.clock = clock;
      this.period = period;
    }

    synchronized double get() {
      Instant now = clock.instant();
      if (readAt == null || !now.isBefore(readAt.plus(period))) {
        try {
          value = count.getAsLong();
        } catch (RuntimeException e) {
          value = Double.NaN; // the store is away: no number rather than a stale one
          LOG.warn("pending interrupts not counted: {}", e.toString());
        }
        readAt = now;
      }
      return value;
    }
  }
}
