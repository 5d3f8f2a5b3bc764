package dev.interlock.worker.engine;

import dev.interlock.model.IsoTimes;
import dev.interlock.model.engine.DispatchRow;
import dev.interlock.store.engine.DispatchDao;
import dev.interlock.workflows.engine.LapseResult;
import dev.interlock.workflows.engine.LeaseActivities;
import dev.interlock.workflows.engine.LeaseRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import dev.interlock.worker.WorkerMetrics;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's side of a lease that ran out: the claim ends as {@code lapsed}, its issue goes
 * back to {@code todo} and gets a comment saying why, all in one transaction that first locks
 * the claim and checks its deadline by the store's clock.
 *
 * <p>The comment's author is {@code interlock}, of type {@code agent}: Loop's comments have
 * only {@code human} and {@code agent} authors (its API's enum, which Loop's clients check,
 * and the table's constraint), the comment is written by software and not by a person, and
 * its name says it was not the agent that claimed the issue.
 */
public final class LeaseActivitiesImpl implements LeaseActivities {

  /** Who writes Interlock's own comments on Loop's issues. */
  public static final String AUTHOR = "interlock";
  private static final Logger log = LoggerFactory.getLogger(LeaseActivitiesImpl.class);

  private final Jdbi jdbi;
  private final WorkerMetrics metrics;

  public LeaseActivitiesImpl(Jdbi jdbi) {
    this(jdbi, WorkerMetrics.none());
  }

  public LeaseActivitiesImpl(Jdbi jdbi, WorkerMetrics metrics) {
    this.jdbi = jdbi;
    this.metrics = metrics;
  }

  @Override
  public LapseResult lapse(LeaseRequest lease) {
    LapseResult result = lapseInStore(lease);
    if (LapseResult.LAPSED.equals(result.status())) {
      metrics.leaseLapsed(); // after the commit, by the run that ended the claim
    }
    return result;
  }

  private LapseResult lapseInStore(LeaseRequest lease) {
    return jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      Optional<Long> left = dao.lockHeld(lease.dispatchId());
      if (left.isEmpty()) {
        return LapseResult.ended(); // completed or released meanwhile (or never committed)
      }
      if (left.get() > 0) {
        return LapseResult.extended(left.get()); // a heartbeat reached the store
      }
      DispatchRow ended = dao.end(lease.dispatchId(), "lapsed").orElseThrow();
      dao.recountVersion(ended.versionId());
      boolean returned = dao.returnToQueue(ended.issueId()) == 1;
      if (returned) {
        dao.comment("cmt_" + UUID.randomUUID(), ended.ownerId(), ended.issueId(),
            body(ended, lease.leaseMillis()), AUTHOR, "agent");
      }
      log.info("lease {} of issue {} lapsed at {}; issue returned to todo: {}", ended.id(),
          ended.issueId(), IsoTimes.format(ended.endedAt()), returned);
      return LapseResult.lapsed(returned);
    });
  }

  static String body(DispatchRow ended, long leaseMillis) {
    String lastSign = ended.heartbeatAt() == null
        ? "claimed at " + IsoTimes.format(ended.claimedAt())
        : "claimed at " + IsoTimes.format(ended.claimedAt()) + ", last heard from at "
            + IsoTimes.format(ended.heartbeatAt());
    return "The dispatch lease lapsed at " + IsoTimes.format(ended.endedAt()) + ": the agent ("
        + ended.claimedBy() + ") neither completed this issue nor showed signs of life (an"
        + " update, a comment or loop_heartbeat) within its lease of "
        + human(Duration.ofMillis(leaseMillis)) + " (" + lastSign + "). The issue is back in"
        + " todo for the next agent.";
  }

  /** "30 minutes", "3 seconds", "1 hour 30 minutes". */
  static String human(Duration d) {
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    StringBuilder out = new StringBuilder();
    if (h > 0) {
      out.append(h).append(h == 1 ? " hour" : " hours");
    }
    if (m > 0) {
      out.append(out.isEmpty() ? "" : " ").append(m).append(m == 1 ? " minute" : " minutes");
    }
    if (s > 0 || out.isEmpty()) {
      out.append(out.isEmpty() ? "" : " ").append(s).append(s == 1 ? " second" : " seconds");
    }
    return out.toString();
  }
}
