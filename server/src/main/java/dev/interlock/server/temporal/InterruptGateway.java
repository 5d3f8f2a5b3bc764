package dev.interlock.server.temporal;

import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.TemporarilyUnavailable;
import dev.interlock.workflows.AlreadyApproved;
import dev.interlock.workflows.CancelCommand;
import dev.interlock.workflows.DecideCommand;
import dev.interlock.workflows.InvalidCommand;
import dev.interlock.workflows.NotPending;
import dev.interlock.workflows.InterruptRequest;
import dev.interlock.workflows.InterruptState;
import dev.interlock.workflows.InterruptWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one class that knows Temporal: workflow ids, task queue, id reuse, and how Temporal's
 * exceptions translate into domain ones. Services call it; resources never do.
 */
public final class InterruptGateway {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(InterruptGateway.class);

  /** Raised when the interrupt has no workflow (completed or never started). */
  public static final class NoWorkflow extends RuntimeException {
    NoWorkflow(String id) {
      super("no workflow for interrupt " + id);
    }
  }

  private final WorkflowClient client;
  private final String taskQueue;
  private final Duration updateTimeout;
  private final boolean searchAttributes;
  /**
   * Starts and updates hold the read side; replacing the embedded service holds the write
   * side, so it waits until every call in flight has its answer and none starts meanwhile.
   * Fair, so that a steady stream of calls cannot keep a replacement waiting.
   */
  private final ReentrantReadWriteLock access = new ReentrantReadWriteLock(true);
  private final LongAdder starts = new LongAdder();
  /** Threads that wait for an update to be accepted; a request thread waits for one of them. */
  private final ExecutorService updateCalls = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "interlock-update-call");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param searchAttributes whether the namespace has Interlock's search attributes
   *     registered, so workflows may be started with them (never on the embedded server)
   */
  public InterruptGateway(WorkflowClient client, String taskQueue, Duration updateTimeout,
      boolean searchAttributes) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.updateTimeout = updateTimeout;
    this.searchAttributes = searchAttributes;
  }

  /** Whether started workflows carry Interlock's search attributes. */
  public boolean searchAttributes() {
    return searchAttributes;
  }

  /**
   * Starts the workflow of an interrupt. Returns false if it is already running (the
   * recovery pass relies on this to change nothing on a live cluster).
   *
   * @param memo shown in the Temporal UI's workflow list and detail view
   * @param attributes the search attributes to start with; ignored unless {@link
   *     #searchAttributes()} is true
   */
  public boolean start(InterruptRequest request, Map<String, Object> memo, String summary,
      SearchAttributes attributes) {
    access.readLock().lock();
    try {
      boolean started = startNow(request, memo, summary, attributes);
      if (started) {
        starts.increment();
      }
      return started;
    } finally {
      access.readLock().unlock();
    }
  }

  /**
   * Runs {@code action} while no start or update is in flight and none can begin; for
   * replacing the embedded Temporal service under the client.
   */
  public void exclusively(Runnable action) {
    access.writeLock().lock();
    try {
      action.run();
    } finally {
      access.writeLock().unlock();
    }
  }

  /**
   * Runs a call to Temporal that must not overlap a replacement of the embedded service
   * (the loops' signals share the interrupts' guard).
   */
  public <T> T shared(java.util.function.Supplier<T> call) {
    access.readLock().lock();
    try {
      return call.get();
    } finally {
      access.readLock().unlock();
    }
  }

  /** Workflows this gateway started, since the process started. */
  public long workflowsStarted() {
    return starts.sum();
  }

  private boolean startNow(InterruptRequest request, Map<String, Object> memo, String summary,
      SearchAttributes attributes) {
    WorkflowOptions.Builder builder = WorkflowOptions.newBuilder();
    if (searchAttributes && attributes != null) {
      builder.setTypedSearchAttributes(attributes);
    }
    WorkflowOptions options = builder
        .setWorkflowId(InterruptWorkflow.workflowId(request.interruptId()))
        .setTaskQueue(taskQueue)
        // A workflow that an operator terminated may be started again by recovery; one
        // that completed normally may not (its interrupt is settled).
        .setWorkflowIdReusePolicy(
            WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
        .setMemo(new LinkedHashMap<>(memo))
        .setStaticSummary(summary)
        .build();
    InterruptWorkflow stub = client.newWorkflowStub(InterruptWorkflow.class, options);
    try {
      WorkflowClient.start(stub::run, request);
      return true;
    } catch (WorkflowExecutionAlreadyStarted e) {
      return false;
    } catch (WorkflowServiceException e) {
      throw new TemporarilyUnavailable("The workflow service is unavailable; retry shortly");
    }
  }

  public InterruptState decide(String interruptId, DecideCommand command, String updateId) {
    return update(interruptId, "decide", command, updateId);
  }

  public InterruptState cancel(String interruptId, CancelCommand command, String updateId) {
    return update(interruptId, "cancel", command, updateId);
  }

  /** The state once policies have had their say (an automatic decision, or still pending). */
  public InterruptState settled(String interruptId) {
    return update(interruptId, "settled", null, "settled-" + java.util.UUID.randomUUID());
  }

  private InterruptState update(String interruptId, String name, Object command, String updateId) {
    access.readLock().lock();
    try {
      return updateNow(interruptId, name, command, updateId);
    } finally {
      access.readLock().unlock();
    }
  }

  private InterruptState updateNow(String interruptId, String name, Object command,
      String updateId) {
    WorkflowStub stub = client.newUntypedWorkflowStub(InterruptWorkflow.workflowId(interruptId));
    UpdateOptions<InterruptState> options = UpdateOptions.newBuilder(InterruptState.class)
        .setUpdateName(name)
        .setUpdateId(updateId)
        .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
        .build();
    try {
      // ACCEPTED: the validator has run, so a losing decision fails here, synchronously. The
      // SDK waits for that as long as it takes (a busy workflow, no worker polling), so the
      // call runs on a thread of its own and is given up after updateTimeout.
      Future<WorkflowUpdateHandle<InterruptState>> accepted = updateCalls.submit(() ->
          command == null ? stub.startUpdate(options) : stub.startUpdate(options, command));
      WorkflowUpdateHandle<InterruptState> handle;
      try {
        handle = accepted.get(updateTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        accepted.cancel(true);
        log.warn("{} of interrupt {} not taken up by its workflow within {} s", name, interruptId,
            updateTimeout.toSeconds());
        throw new TemporarilyUnavailable("The workflow has not taken up the " + name
            + " within " + updateTimeout.toSeconds() + " s; it may still apply. Read the"
            + " interrupt before you retry");
      }
      // COMPLETED: the handler has projected the transition into PostgreSQL.
      return handle.getResultAsync(updateTimeout.toMillis(), TimeUnit.MILLISECONDS).get();
    } catch (WorkflowUpdateException e) {
      throw translate(e.getCause());
    } catch (WorkflowNotFoundException e) {
      throw new NoWorkflow(interruptId);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WorkflowUpdateException u) {
        throw translate(u.getCause());
      }
      if (cause instanceof WorkflowNotFoundException) {
        throw new NoWorkflow(interruptId);
      }
      if (cause instanceof TimeoutException
          || cause instanceof io.temporal.client.WorkflowUpdateTimeoutOrCancelledException) {
        throw new TemporarilyUnavailable(
            "The " + name + " was accepted but is still being recorded; read the interrupt to see it");
      }
      throw new TemporarilyUnavailable("The workflow service is unavailable; retry shortly");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TemporarilyUnavailable("Interrupted while waiting for the workflow");
    } catch (WorkflowServiceException e) {
      throw new TemporarilyUnavailable("The workflow service is unavailable; retry shortly");
    }
  }

  private static RuntimeException translate(Throwable cause) {
    if (cause instanceof ApplicationFailure failure) {
      if (NotPending.class.getName().equals(failure.getType())) {
        return new Conflict(failure.getOriginalMessage());
      }
      if (InvalidCommand.class.getName().equals(failure.getType())) {
        return new InvalidRequest(failure.getOriginalMessage());
      }
      if (AlreadyApproved.class.getName().equals(failure.getType())) {
        return new Conflict("You have already approved this interrupt");
      }
    }
    log.warn("unexpected update failure from the workflow", cause);
    return new TemporarilyUnavailable("The workflow refused the command; retry shortly");
  }

  /** A cheap round trip to the workflow service, for health checks. */
  public void ping() {
    client.getWorkflowServiceStubs().blockingStub()
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .getSystemInfo(io.temporal.api.workflowservice.v1.GetSystemInfoRequest.getDefaultInstance());
  }
}
