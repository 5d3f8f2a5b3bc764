package dev.interlock.worker;

import dev.interlock.workflows.InterruptActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs {@link InterruptActivitiesImpl} inside a real Temporal activity context, one attempt
 * per call, so arguments pass Temporal's data converter and a failure reaches the test the way
 * the workflow would first see it.
 */
final class ActivityHarness implements AutoCloseable {

  /**
   * The client every worker test POSTs with. Its sockets are bound to the loopback address,
   * from which the kernel routes nowhere else, so even a test that lets a public address
   * through the guard cannot send anything off this machine. Daemon threads; never closed.
   */
  static final OutboundPost OUTBOUND = OutboundPost.start(new SslContextFactory.Client(),
      InetAddress.getLoopbackAddress());

  private final TestActivityEnvironment env;
  private final InterruptActivities activities;

  private ActivityHarness(TestActivityEnvironment env, InterruptActivities activities) {
    this.env = env;
    this.activities = activities;
  }

  /** The implementation itself, for methods that need no activity context. */
  static InterruptActivitiesImpl newImpl(Jdbi jdbi, CallbackTargetGuard guard, Clock clock) {
    return new InterruptActivitiesImpl(jdbi, Interrupts.JSON, OUTBOUND, guard, clock,
        Duration.ofSeconds(5), TestRenderings.INSTANCE);
  }

  static ActivityHarness start(Jdbi jdbi, CallbackTargetGuard guard, Clock clock) {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(newImpl(jdbi, guard, clock));
    InterruptActivities stub = env.newActivityStub(InterruptActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(20))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
    return new ActivityHarness(env, stub);
  }

  /** The activities as the workflow calls them: arguments pass Temporal's data converter. */
  InterruptActivities activities() {
    return activities;
  }

  @Override
  public void close() {
    env.close();
  }
}
