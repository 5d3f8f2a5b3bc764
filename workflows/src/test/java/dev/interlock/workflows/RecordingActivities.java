package dev.interlock.workflows;

import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A fake of the interrupt activities that records every call in order. Activities run on
 * worker threads, so the log is a thread-safe list. Behaviour can be scripted per test:
 * failing callback attempts, and gates that hold an activity until the test opens them.
 */
final class RecordingActivities implements InterruptActivities {

  /** One activity invocation (every attempt counts), in the order the worker made them. */
  record Call(String activity, Object argument) {}

  /**
   * When the server scheduled an attempt, on the environment's (skipped) clock. Tests read
   * times here because {@code env.currentTimeMillis()} after {@code getResult} is unreliable:
   * the environment may skip ahead before the client locks time again.
   */
  record Attempt(String activity, long scheduledAtMillis) {}

  private static final IntFunction<RuntimeException> ALWAYS_SUCCEED = attempt -> null;

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final AtomicInteger callbackAttempts = new AtomicInteger();
  private volatile IntFunction<RuntimeException> callbackOutcome = ALWAYS_SUCCEED;
  private volatile CountDownLatch transitionGate = new CountDownLatch(0);
  private volatile CountDownLatch callbackGate = new CountDownLatch(0);
  private volatile PolicyOutcome policyOutcome = PolicyOutcome.toHuman();
  private volatile String storedStatus;

  @Override
  public void recordTransition(TransitionRecord transition) {
    await(transitionGate);
    record("recordTransition", transition);
  }

  @Override
  public String projectTransition(TransitionRecord transition) {
    await(transitionGate);
    record("projectTransition", transition);
    String stored = storedStatus;
    return stored != null ? stored : transition.state().status().wire();
  }

  @Override
  public String recordApproval(ApprovalRecord approval) {
    await(transitionGate);
    record("recordApproval", approval);
    String stored = storedStatus;
    return stored != null ? stored : InterruptStatus.PENDING.wire();
  }

  @Override
  public void deliverCallback(CallbackRequest request) {
    await(callbackGate);
    record("deliverCallback", request);
    RuntimeException failure = callbackOutcome.apply(callbackAttempts.incrementAndGet());
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void recordCallbackFailed(CallbackFailure failure) {
    record("recordCallbackFailed", failure);
  }

  @Override
  public PolicyOutcome evaluatePolicies(PolicyRequest request) {
    record("evaluatePolicies", request);
    return policyOutcome;
  }

  /** What evaluatePolicies answers (default: route to a person). */
  RecordingActivities policiesDecide(PolicyOutcome outcome) {
    policyOutcome = outcome;
    return this;
  }

  private void record(String activity, Object argument) {
    long scheduledAt = Activity.getExecutionContext().getInfo().getCurrentAttemptScheduledTimestamp();
    attempts.add(new Attempt(activity, scheduledAt));
    calls.add(new Call(activity, argument));
  }

  /** The first {@code failures} deliveries fail with a retryable {@code CALLBACK_FAILED}. */
  RecordingActivities failCallbackAttempts(int failures) {
    callbackOutcome =
        attempt -> attempt <= failures ? ApplicationFailure.newFailure("x", "CALLBACK_FAILED") : null;
    return this;
  }

  /** Every delivery fails with a failure of the given type (retryable unless the stub says not). */
  RecordingActivities failCallbackAlways(String type) {
    callbackOutcome = attempt -> ApplicationFailure.newFailure("callback failed: " + type, type);
    return this;
  }

  /**
   * From now on {@code projectTransition} answers that the store holds {@code status}
   * whatever the transition (as when the store's expiry sweep got there first).
   */
  RecordingActivities storeHolds(String status) {
    storedStatus = status;
    return this;
  }

  /** Holds every {@code recordTransition} until {@link #openTransitions()}. */
  RecordingActivities holdTransitions() {
    transitionGate = new CountDownLatch(1);
    return this;
  }

  void openTransitions() {
    transitionGate.countDown();
  }

  /** Holds every {@code deliverCallback} until {@link #openCallbacks()}, keeping the workflow open. */
  RecordingActivities holdCallbacks() {
    callbackGate = new CountDownLatch(1);
    return this;
  }

  void openCallbacks() {
    callbackGate.countDown();
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<Long> scheduledAtMillis(String activity) {
    return attempts.stream()
        .filter(a -> a.activity().equals(activity))
        .map(Attempt::scheduledAtMillis)
        .toList();
  }

  /**
   * The activities called, in order, a repeated projection of the same transition counted
   * once: projections run as local activities, which are at-least-once (a workflow task
   * whose completion the service refuses, say because an update arrived meanwhile, runs its
   * local activities again, with that new task's time as the decision time); the projection
   * is idempotent and the store keeps the first. An interrupt leaves pending once, so a
   * second projection of the same status is such a repeat.
   */
  List<String> activityNames() {
    List<String> names = new java.util.ArrayList<>();
    java.util.Set<String> projected = new java.util.HashSet<>();
    for (Call c : calls) {
      if ((isProjection(c) || isApproval(c)) && !projected.add(repeatKey(c))) {
        continue;
      }
      names.add(c.activity());
    }
    return names;
  }

  /**
   * The transitions projected; of repeats (see {@link #activityNames()}) the last, which is
   * the one the workflow kept and returns.
   */
  List<InterruptState> transitions() {
    java.util.Map<String, InterruptState> last = new java.util.LinkedHashMap<>();
    calls.stream()
        .filter(RecordingActivities::isProjection)
        .forEach(c -> last.put(repeatKey(c), ((TransitionRecord) c.argument()).state()));
    return List.copyOf(last.values());
  }

  /** Either projection: {@code recordTransition} (older histories) or {@code projectTransition}. */
  private static boolean isProjection(Call c) {
    return c.activity().equals("recordTransition") || c.activity().equals("projectTransition");
  }

  private static boolean isApproval(Call c) {
    return c.activity().equals("recordApproval");
  }

  /** A transition is projected once per status, an approval once per approver. */
  private static String repeatKey(Call c) {
    if (c.argument() instanceof ApprovalRecord a) {
      return a.interruptId() + "/approval/" + a.approverId();
    }
    TransitionRecord t = (TransitionRecord) c.argument();
    return t.interruptId() + "/" + t.state().status();
  }

  /** The approvals recorded towards a quorum, in order (a repeated run counted once). */
  List<ApprovalRecord> approvals() {
    java.util.Map<String, ApprovalRecord> last = new java.util.LinkedHashMap<>();
    calls.stream()
        .filter(RecordingActivities::isApproval)
        .forEach(c -> last.put(repeatKey(c), (ApprovalRecord) c.argument()));
    return List.copyOf(last.values());
  }

  long count(String activity) {
    return calls.stream().filter(c -> c.activity().equals(activity)).count();
  }

  List<CallbackFailure> callbackFailures() {
    return calls.stream()
        .filter(c -> c.activity().equals("recordCallbackFailed"))
        .map(c -> (CallbackFailure) c.argument())
        .toList();
  }

  private static void await(CountDownLatch gate) {
    try {
      // Bounded so a forgotten gate fails the test instead of hanging the build.
      if (!gate.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test gate was never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
