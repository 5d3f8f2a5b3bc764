package dev.interlock.server.service;

import io.dropwizard.servlets.tasks.PostBodyTask;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Admin task {@code POST /tasks/recover} (admin port): runs the recovery pass now and
 * prints what it did. Useful after restoring a database backup or a Temporal outage; on a
 * healthy system it re-creates nothing.
 */
public final class RecoveryTask extends PostBodyTask {

  private final RecoveryPass recovery;

  public RecoveryTask(RecoveryPass recovery) {
    super("recover");
    this.recovery = recovery;
  }

  @Override
  public void execute(Map<String, List<String>> parameters, String body, PrintWriter output) {
    int[] counts = recovery.run();
    int[] hooks = recovery.runDeliveries();
    output.printf("checked %d, re-created %d, already running %d%n", counts[0], counts[1],
        counts[0] - counts[1]);
    output.printf("webhook deliveries pending %d, re-started %d%n", hooks[0], hooks[1]);
  }
}
