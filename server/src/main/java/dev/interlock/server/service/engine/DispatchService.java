package dev.interlock.server.service.engine;

import dev.interlock.server.metrics.InterlockMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.engine.ApprovalDecision;
import dev.interlock.model.engine.DispatchRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.ScoredIssue;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Page;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.service.Urgency;
import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.server.temporal.LeaseGateway;
import dev.interlock.store.engine.DispatchDao;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.workflows.engine.LeaseEnd;
import dev.interlock.workflows.engine.LeaseRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop's dispatch: the scored queue, atomic claims ({@code GET /api/dispatch/next}) with a
 * lease each, the lease's signs of life and its end, and Interlock's approval gate.
 *
 * <p><b>Claims.</b> The best queued issue is locked with {@code FOR UPDATE SKIP LOCKED}, set
 * {@code in_progress} and recorded as a claim ({@code engine_dispatches}), and the claim's
 * lease workflow is started, all before the transaction commits: a claim without a lease is
 * never committed (if Temporal cannot be reached the claim is undone and the caller told to
 * retry). The prompt is rendered after the commit; if that fails the claim is released.
 *
 * <p><b>Leases.</b> The store records the deadline ({@code lease_until}); the workflow is
 * its durable timer. A sign of life ({@link #activity}) moves the deadline in the store, then
 * signals the workflow; ending a lease ({@link #complete}, {@link #release}) ends it in the
 * store, then signals. The signals are best effort: when the timer runs out, the workflow's
 * activity reads the store and lapses only a lease that is still held and past its deadline.
 *
 * <p><b>Approval.</b> A hypothesis or plan may wait for a person ({@link #requestApproval}):
 * a core interrupt (source {@code loop}) asks, visible through every door; dispatch skips the
 * issue meanwhile. Approved: {@code todo}. Rejected: {@code canceled}, with the reason as a
 * comment. Decisions are applied when this instance takes them (the core's decision
 * listener), when any instance records them (the transition notifications), and at start.
 */
public final class DispatchService {

  /** The core interrupts' source for approvals of Loop's issues. */
  public static final String SOURCE = "loop";
  /** Issue types a person may be asked to approve. */
  public static final Set<String> APPROVABLE = Set.of("hypothesis", "plan");
  /** An approval waits until a person decides (as loopat's choices do). */
  static final Duration APPROVAL_WAIT = Duration.ofDays(36_500);
  static final int MAX_ACTION_TITLE = 200;

  private static final Logger log = LoggerFactory.getLogger(DispatchService.class);

  private final Jdbi jdbi;
  private final LeaseGateway leases;
  private final InterruptService interrupts;
  private final DispatchPrompts prompts;
  private final ObjectMapper json;
  private final Clock clock;
  private final Duration lease;
  /**
   * Applies decisions heard of on the transition listener's thread, off that thread, one at
   * a time; its thread ends when idle.
   */
  private final ExecutorService settling = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "interlock-engine-approvals");
        t.setDaemon(true);
        return t;
      });

  private final InterlockMetrics metrics;

  public DispatchService(Jdbi jdbi, LeaseGateway leases, InterruptService interrupts,
      TransitionListener transitions, DispatchPrompts prompts, ObjectMapper json, Clock clock,
      Duration lease, InterlockMetrics metrics) {
    this.metrics = metrics;
    this.jdbi = jdbi;
    this.leases = leases;
    this.interrupts = interrupts;
    this.prompts = prompts;
    this.json = json;
    this.clock = clock;
    this.lease = lease;
    interrupts.onDecision((caller, row) -> {
      if (SOURCE.equals(row.source()) && !row.isPending()) {
        settleApprovals(row.id());
      }
    });
    if (transitions != null) {
      transitions.subscribe(new TransitionListener.Subscriber() {
        @Override
        public void created(String interruptId) {}

        @Override
        public void transitioned(String interruptId) {
          settling.execute(() -> settleApprovalsLogged(interruptId));
        }

        @Override
        public void approvalRecorded(String interruptId) {}

        @Override
        public void resync() {
          settling.execute(() -> settleApprovalsLogged(null));
        }
      });
    }
  }

  /** How long a lease lasts from a claim or a sign of life. */
  public Duration lease() {
    return lease;
  }

  // ---- the queue and claims --------------------------------------------------------------

  /** A claim: the issue (now {@code in_progress}), its score, its lease, and its prompt. */
  public record Claim(IssueRow issue, ScoredIssue scored, DispatchRow dispatch,
      DispatchPrompts.Rendered prompt) {}

  /**
   * Claims the best issue of the caller's queue (of one project if {@code projectId} is
   * given); empty when the queue is empty.
   */
  public Optional<Claim> next(Caller caller, String projectId) {
    String ownerId = caller.ownerId();
    long leaseMillis = lease.toMillis();
    List<String> stale = new ArrayList<>();
    Claim claimed = jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      Optional<ScoredIssue> best = dao.lockBest(ownerId, projectId);
      if (best.isEmpty()) {
        return null;
      }
      String issueId = best.get().issue().id();
      stale.addAll(dao.releaseOpen(issueId));
      IssueRow issue = dao.markClaimed(issueId);
      DispatchRow dispatch = dao.insert("dsp_" + UUID.randomUUID(), ownerId, issueId,
          claimant(caller), leaseMillis);
      // Inside the transaction: if the lease cannot start, the claim is not committed.
      leases.start(LeaseRequest.fresh(dispatch.id(), issueId, leaseMillis));
      return new Claim(issue, best.get(), dispatch, null);
    });
    stale.forEach(id -> leases.complete(id, LeaseEnd.RELEASED));
    if (claimed == null) {
      return Optional.empty();
    }
    DispatchPrompts.Rendered prompt;
    try {
      prompt = prompts.render(ownerId, claimed.issue().id());
    } catch (RuntimeException e) {
      log.warn("issue {}: prompt not rendered, claim {} released", claimed.issue().id(),
          claimed.dispatch().id(), e);
      unclaim(claimed.dispatch());
      throw e;
    }
    if (prompt != null && prompt.versionId() != null) {
      jdbi.useExtension(DispatchDao.class,
          dao -> dao.setVersion(claimed.dispatch().id(), prompt.versionId()));
    }
    metrics.dispatchClaimed();
    log.info("issue {} (#{}) claimed by {} (claim {}, score {}, lease {})",
        claimed.issue().id(), claimed.issue().number(), claimed.dispatch().claimedBy(),
        claimed.dispatch().id(), claimed.scored().score(), lease);
    return Optional.of(new Claim(claimed.issue(), claimed.scored(), claimed.dispatch(),
        prompt));
  }

  /** The whole queue, scored and sorted, then paged. */
  public Page<ScoredIssue> queue(Caller caller, String projectId, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      return new Page<>(dao.queue(caller.ownerId(), projectId, limit, offset),
          dao.queueSize(caller.ownerId(), projectId), limit, offset);
    });
  }

  /** A claim held now: the lease and the issue it holds. */
  public record HeldClaim(DispatchRow dispatch, IssueRow issue) {}

  /** The caller's workspace's claims held now, the soonest to lapse first, paged. */
  public Page<HeldClaim> held(Caller caller, int limit, int offset) {
    String ownerId = caller.ownerId();
    return jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      IssueDao issues = h.attach(IssueDao.class);
      List<HeldClaim> held = new ArrayList<>();
      for (DispatchRow d : dao.openOfOwner(ownerId, limit, offset)) {
        issues.find(ownerId, d.issueId()).ifPresent(i -> held.add(new HeldClaim(d, i)));
      }
      return new Page<>(held, dao.countOpenOfOwner(ownerId), limit, offset);
    });
  }

  /**
   * The caller's workspace's issues that wait for a person's approval before dispatch may
   * hand them out (each names its question, {@link IssueRow#approvalInterruptId()}), paged.
   */
  public Page<IssueRow> awaitingApproval(Caller caller, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      return new Page<>(dao.awaitingApproval(caller.ownerId(), limit, offset),
          dao.countAwaitingApproval(caller.ownerId()), limit, offset);
    });
  }

  /** A claim handed out by mistake (its prompt failed): back to the queue, lease ended. */
  private void unclaim(DispatchRow dispatch) {
    jdbi.useTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      if (dao.end(dispatch.id(), LeaseEnd.RELEASED).isPresent()) {
        dao.returnToQueue(dispatch.issueId());
      }
    });
    leases.complete(dispatch.id(), LeaseEnd.RELEASED);
  }

  private static String claimant(Caller caller) {
    if (caller.keyId() != null) {
      return "key:" + caller.keyId();
    }
    if (caller.userId() != null) {
      return "user:" + caller.userId();
    }
    return "caller:" + caller.name();
  }

  // ---- leases ----------------------------------------------------------------------------

  /**
   * A sign of life on an issue ({@code how}: an update, a comment, the heartbeat tool): if
   * the issue is claimed, its lease runs its full length again from now. Anything else is
   * ignored. Returns the lease, if one is held.
   */
  public Optional<DispatchRow> activity(String ownerId, String issueId, String how) {
    Optional<DispatchRow> beat = jdbi.withExtension(DispatchDao.class, dao ->
        dao.openOf(ownerId, issueId).flatMap(d -> dao.heartbeat(d.id(), lease.toMillis())));
    beat.ifPresent(d -> leases.heartbeat(d.id(), how));
    return beat;
  }

  /**
   * The explicit heartbeat ({@code loop_heartbeat}): like {@link #activity}, but an issue
   * that is not the workspace's is 404, and one without a held lease is 409.
   */
  public DispatchRow heartbeat(Caller caller, String issueId) {
    IssueRow issue = issue(caller, issueId);
    return activity(caller.ownerId(), issue.id(), "heartbeat").orElseThrow(() -> new Conflict(
        "Issue #" + issue.number() + " holds no lease: it is " + issue.status()
            + (("in_progress".equals(issue.status())) ? " but its lease ended"
                : ", not claimed through dispatch")));
  }

  /**
   * What completing an issue did: the lease it ended ({@code null} if none was held) and the
   * issues it was blocking that nothing else blocks now.
   */
  public record Completion(String dispatchId, List<String> unblockedIssueIds) {}

  /**
   * The issue is done: its lease (if held) ends as {@code completed}, and the answer says
   * which issues that unblocked. Call it when an issue's status becomes {@code done}; it
   * does not change the issue itself. The unblocked issues are found whether or not the
   * issue's new status is committed yet (it is not counted as a blocker).
   */
  public Completion complete(String ownerId, String issueId) {
    Optional<DispatchRow> ended = end(ownerId, issueId, LeaseEnd.COMPLETED);
    List<String> unblocked = jdbi.withExtension(DispatchDao.class, dao ->
        dao.unblockedBy(issueId));
    return new Completion(ended.map(DispatchRow::id).orElse(null), unblocked);
  }

  /**
   * The issue left {@code in_progress} other than by completion: {@code outcome}
   * {@code released} (back to todo, backlog, ...) or {@code canceled} (canceled, deleted).
   * Its lease, if held, ends so. Returns the ended lease.
   */
  public Optional<DispatchRow> release(String ownerId, String issueId, String outcome) {
    if (!LeaseEnd.RELEASED.equals(outcome) && !LeaseEnd.CANCELED.equals(outcome)) {
      throw new IllegalArgumentException("outcome must be released or canceled: " + outcome);
    }
    return end(ownerId, issueId, outcome);
  }

  private Optional<DispatchRow> end(String ownerId, String issueId, String outcome) {
    Optional<DispatchRow> ended = jdbi.inTransaction(h -> {
      DispatchDao dao = h.attach(DispatchDao.class);
      Optional<DispatchRow> row = dao.openOf(ownerId, issueId).flatMap(d -> dao.end(d.id(),
          outcome));
      row.ifPresent(d -> dao.recountVersion(d.versionId()));
      return row;
    });
    ended.ifPresent(d -> leases.complete(d.id(), outcome));
    return ended;
  }

  /**
   * Re-creates the workflow of every held lease that has none (an embedded Temporal starts
   * empty and is recycled empty; a dev server or cluster keeps them, and nothing changes),
   * with what is left of it. A lease whose deadline passed meanwhile lapses at once.
   * Returns how many were started.
   */
  public int recoverLeases() {
    List<DispatchRow> open = jdbi.withExtension(DispatchDao.class, DispatchDao::allOpen);
    Instant now = clock.instant();
    int started = 0;
    for (DispatchRow d : open) {
      long left = Math.max(0, Duration.between(now, d.leaseUntil()).toMillis());
      try {
        if (leases.start(new LeaseRequest(d.id(), d.issueId(), lease.toMillis(), left))) {
          started++;
        }
      } catch (RuntimeException e) {
        log.warn("lease {} of issue {} not re-created: {}", d.id(), d.issueId(),
            e.getMessage());
      }
    }
    if (started > 0) {
      log.info("re-created {} of {} held dispatch leases", started, open.size());
    }
    return started;
  }

  // ---- the approval gate -----------------------------------------------------------------

  /**
   * Asks a person to approve a hypothesis or plan before any agent may claim it: a core
   * interrupt (source {@code loop}, action "Approve hypothesis #12: ..."), which every door
   * shows and any may decide. The issue waits ({@code requiresApproval}) until then. Asking
   * again while the question is pending changes nothing; after an expired or cancelled
   * question it asks anew. The owner's policies may decide at once.
   *
   * @return the issue as it stands afterwards
   */
  public IssueRow requestApproval(Caller caller, String issueId) {
    IssueRow issue = issue(caller, issueId);
    if (!APPROVABLE.contains(issue.type())) {
      throw new Refusal(422, "validation_error", "Only hypothesis and plan issues can require"
          + " approval; issue #" + issue.number() + " is a " + issue.type());
    }
    if (Set.of("done", "canceled", "in_progress").contains(issue.status())) {
      throw new Conflict("Issue #" + issue.number() + " is " + issue.status().replace('_', ' ')
          + ": there is nothing to approve");
    }
    if (issue.approvalInterruptId() != null) {
      Optional<InterruptRow> asked = asked(caller, issue.approvalInterruptId());
      if (asked.isPresent() && asked.get().isPending()) {
        return issue.requiresApproval() ? issue
            : jdbi.withExtension(DispatchDao.class,
                dao -> dao.awaitApproval(issue.id(), asked.get().id()));
      }
    }
    String title = issue.title().length() > MAX_ACTION_TITLE
        ? issue.title().substring(0, MAX_ACTION_TITLE - 1) + "…" : issue.title();
    ObjectNode context = json.createObjectNode()
        .put("kind", "loop_issue_approval")
        .put("issueId", issue.id())
        .put("number", issue.number())
        .put("type", issue.type())
        .put("title", issue.title())
        .put("description", issue.description())
        .put("priority", issue.priority())
        .put("projectId", issue.projectId());
    if (issue.hypothesis() != null) {
      context.set("hypothesis", issue.hypothesis());
    }
    Instant expiresAt = clock.instant().plus(APPROVAL_WAIT).truncatedTo(ChronoUnit.SECONDS);
    // Keyed by the question it replaces, so two concurrent requests ask once.
    String key = "loop-approval:" + issue.id() + ":"
        + (issue.approvalInterruptId() == null ? "first" : issue.approvalInterruptId());
    CreateInterrupt question = CreateInterrupt.approval(SOURCE, "loop", null,
        "Approve " + issue.type() + " #" + issue.number() + ": " + title, context, null,
        Urgency.NORMAL, expiresAt, null, key);
    InterruptRow stored;
    try {
      stored = interrupts.create(caller, question).interrupt();
    } catch (TemporarilyUnavailable e) {
      // The question is stored before its workflow starts; when Temporal refused the start,
      // the recovery pass starts it later. Without a stored question, nothing changed.
      stored = interrupts.byIdempotencyKey(caller, key).orElseThrow(() -> e);
      log.warn("issue {}: approval {} stored, its workflow not started yet: {}", issue.id(),
          stored.id(), e.getMessage());
    }
    String questionId = stored.id();
    // The issue is tied to its question at once, so it never waits for a question that is
    // not there, whatever Temporal does next.
    IssueRow waiting = jdbi.withExtension(DispatchDao.class,
        dao -> dao.awaitApproval(issue.id(), questionId));
    log.info("issue {} (#{}) waits for approval (interrupt {})", issue.id(), issue.number(),
        questionId);
    InterruptRow asked;
    try {
      asked = interrupts.settle(caller, stored);
    } catch (TemporarilyUnavailable | InterruptGateway.NoWorkflow e) {
      log.warn("issue {}: approval {} asked; its workflow has not answered yet ({}), so the"
          + " question waits for it", issue.id(), questionId, e.getMessage());
      return waiting;
    }
    if (!asked.isPending()) {
      settleApprovals(asked.id()); // a policy decided at once
      return issue(caller, issueId);
    }
    return waiting;
  }

  private Optional<InterruptRow> asked(Caller caller, String interruptId) {
    try {
      return Optional.of(interrupts.get(caller, interruptId));
    } catch (NotFound gone) {
      return Optional.empty();
    }
  }

  /**
   * Applies decided approvals to their issues: those of one interrupt, or (null) every one
   * not applied yet. Idempotent: each decision changes its issue once.
   */
  public void settleApprovals(String interruptId) {
    List<ApprovalDecision> decided = jdbi.withExtension(DispatchDao.class,
        dao -> dao.undoneDecisions(interruptId));
    for (ApprovalDecision d : decided) {
      boolean rejected = "rejected".equals(d.status());
      boolean applied = jdbi.inTransaction(h -> {
        DispatchDao dao = h.attach(DispatchDao.class);
        if (!rejected) {
          return dao.approve(d.issueId(), d.interruptId()) == 1;
        }
        if (dao.reject(d.issueId(), d.interruptId()) != 1) {
          return false;
        }
        boolean person = d.decidedBy() != null && !d.decidedBy().startsWith("policy:")
            && !d.decidedBy().startsWith("system:");
        dao.comment("cmt_" + UUID.randomUUID(), d.ownerId(), d.issueId(), rejection(d),
            person ? d.decidedBy() : "interlock", person ? "human" : "agent");
        return true;
      });
      if (applied) {
        log.info("issue {}: approval {} {}", d.issueId(), d.interruptId(), d.status());
        if (rejected) {
          end(d.ownerId(), d.issueId(), LeaseEnd.CANCELED);
        }
      }
    }
  }

  private void settleApprovalsLogged(String interruptId) {
    try {
      settleApprovals(interruptId);
    } catch (RuntimeException e) {
      log.warn("approvals of interrupt {} not applied yet: {}", interruptId, e.getMessage());
    }
  }

  static String rejection(ApprovalDecision d) {
    String who = d.decidedBy() == null ? "a reviewer" : d.decidedBy();
    return d.reason() == null || d.reason().isBlank()
        ? "Rejected by " + who + " (no reason given). Canceled."
        : "Rejected by " + who + ": " + d.reason().strip();
  }

  // ---- start -----------------------------------------------------------------------------

  /** At start: leases without a workflow get one, decisions taken while down are applied. */
  public void recover() {
    recoverLeases();
    settleApprovalsLogged(null);
  }

  private IssueRow issue(Caller caller, String issueId) {
    return (issueId == null ? Optional.<IssueRow>empty()
        : jdbi.withExtension(IssueDao.class, dao -> dao.find(caller.ownerId(), issueId)))
        .filter(i -> !i.isDeleted())
        .orElseThrow(() -> new NotFound("Issue not found"));
  }
}
