package dev.interlock.worker.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import dev.interlock.store.ApiKeyDao;
import dev.interlock.store.ApiKeySql;
import dev.interlock.store.LoopDao;
import dev.interlock.workflows.loop.LoopActivities;
import dev.interlock.workflows.loop.TurnEnd;
import dev.interlock.workflows.loop.TurnInput;
import dev.interlock.workflows.loop.TurnOutcome;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import dev.interlock.worker.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The turns' activities: the store's side of a turn (status and events) and the agent's
 * process. Every event the agent streams is appended to the loop's event log as it comes
 * (one row, one NOTIFY), so every open stream on every instance sees it at once and a
 * reconnect with {@code Last-Event-ID} misses nothing.
 */
public final class LoopActivitiesImpl implements LoopActivities {

  /** The error type a turn reports when its worker stopped under it. */
  public static final String RUNNER_LOST = "RunnerLost";
  static final String[] TURN_KEY_SCOPES = {"request:create", "request:read"};
  private static final Logger log = LoggerFactory.getLogger(LoopActivitiesImpl.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration HEARTBEAT_EVERY = Duration.ofMillis(500);

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final Clock clock;
  private final LoopSettings settings;
  private final ChoiceWithdrawal withdrawal;
  private final WorkerMetrics metrics;

  public LoopActivitiesImpl(Jdbi jdbi, ObjectMapper json, Clock clock, LoopSettings settings,
      ChoiceWithdrawal withdrawal) {
    this(jdbi, json, clock, settings, withdrawal, WorkerMetrics.none());
  }

  public LoopActivitiesImpl(Jdbi jdbi, ObjectMapper json, Clock clock, LoopSettings settings,
      ChoiceWithdrawal withdrawal, WorkerMetrics metrics) {
    this.metrics = metrics;
    this.jdbi = jdbi;
    this.json = json;
    this.clock = clock;
    this.settings = settings;
    this.withdrawal = withdrawal;
  }

  @Override
  public boolean startTurn(TurnInput turn) {
    return jdbi.inTransaction(h -> {
      LoopDao dao = h.attach(LoopDao.class);
      if (dao.markRunning(turn.turnId(), null) == 0) {
        // A retry after it was marked, or a turn that ended while queued.
        return dao.turn(turn.turnId()).map(t -> "running".equals(t.status())).orElse(false);
      }
      ObjectNode data = json.createObjectNode().put("turn_id", turn.turnId())
          .put("cold_start", turn.coldStart());
      dao.append(turn.loopId(), turn.turnId(), "started", text(data),
          "started:" + turn.turnId());
      return true;
    });
  }

  @Override
  public TurnOutcome runAgent(TurnInput turn) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    LoopDao dao = jdbi.onDemand(LoopDao.class);
    LoopRow loop = dao.byId(turn.loopId()).orElseThrow(
        () -> ApplicationFailure.newNonRetryableFailure("no loop " + turn.loopId(), "NoLoop"));
    String message = dao.content(turn.turnId()).orElse("");
    LoopTurnRow row = dao.turn(turn.turnId()).orElseThrow();
    Path workdir;
    try {
      workdir = workdir(loop);
    } catch (IllegalArgumentException e) {
      return TurnOutcome.error("agent_spawn_failed", e.getMessage());
    }
    String keyId = "turn-key-" + turn.turnId();
    String key = "ilk_" + HexFormat.of().formatHex(bytes(32));
    Path mcpConfig = null;
    try {
      mintKey(loop, keyId, key);
      jdbi.useHandle(h -> h.createUpdate("update loop_turns set key_id = :key where id = :id")
          .bind("key", keyId).bind("id", turn.turnId()).execute());
      mcpConfig = writeMcpConfig(turn.turnId(), key);
      AgentInvocation invocation = new AgentInvocation(settings.command(), workdir, message,
          loop.agentSession(), mcpConfig, row.permissionMode(), settings.partialMessages(),
          Map.of("INTERLOCK_LOOP_ID", loop.id(), "INTERLOCK_TURN_ID", turn.turnId()));
      AgentProcess process = AgentProcess.start(invocation, events(turn), json);
      try {
        while (true) {
          Optional<AgentResult> result = process.await(HEARTBEAT_EVERY);
          if (result.isPresent()) {
            AgentResult r = result.get();
            if (r.sessionId() != null) {
              dao.setAgentSession(loop.id(), r.sessionId());
            }
            return r.done() ? TurnOutcome.done() : TurnOutcome.error(r.code(), r.message());
          }
          if (Thread.currentThread().isInterrupted()) {
            // The worker is shutting down under the turn: the agent goes with it.
            process.stop();
            throw ApplicationFailure.newNonRetryableFailure(
                "the worker stopped during the turn", RUNNER_LOST);
          }
          // Cancellation (POST /interrupt) arrives as the answer to a heartbeat.
          ctx.heartbeat(null);
        }
      } catch (ActivityWorkerShutdownException e) {
        // A graceful stop of the worker (Interlock's, or a worker process's) fails the next
        // heartbeat: the agent goes with the worker. Rethrown as it is, the exception would
        // reach the turn as a failure of its own type, counted as agent_error; the turn has
        // lost its runner, as when the worker dies, and a real Temporal ends it so at once.
        log.info("turn {} of {}: the worker is stopping; stopping the agent", turn.turnId(),
            loop.id());
        process.stop();
        throw ApplicationFailure.newNonRetryableFailure(
            "the worker stopped during the turn", RUNNER_LOST);
      } catch (ActivityCompletionException e) {
        log.info("turn {} of {}: stopping the agent ({})", turn.turnId(), loop.id(),
            e.getClass().getSimpleName());
        process.stop();
        throw e;
      } catch (RuntimeException | Error e) {
        process.stop();
        throw e;
      }
    } finally {
      revokeKey(loop.ownerId(), keyId);
      if (mcpConfig != null) {
        try {
          Files.deleteIfExists(mcpConfig);
        } catch (IOException e) {
          log.warn("could not delete {}: {}", mcpConfig, e.getMessage());
        }
      }
    }
  }

  @Override
  public void finishTurn(TurnEnd end) {
    Optional<LoopTurnRow> before = jdbi.onDemand(LoopDao.class).turn(end.turnId());
    boolean ended = jdbi.inTransaction(h -> {
      LoopDao dao = h.attach(LoopDao.class);
      TurnOutcome o = end.outcome();
      int changed = dao.finishTurn(end.turnId(), o.status(), o.code(), o.message());
      dao.append(end.loopId(), end.turnId(), o.status(), text(terminal(end)),
          "end:" + end.turnId());
      return changed == 1;
    });
    if (ended) {
      metrics.turnEnded(end.outcome().status()); // once: a retry finds the turn ended
    }
    before.ifPresent(t -> {
      if (t.pendingChoice() != null) {
        withdraw(t.pendingChoice(), "The turn ended (" + end.outcome().status() + ")");
      }
      if (t.keyId() != null) {
        jdbi.onDemand(LoopDao.class).byId(end.loopId())
            .ifPresent(l -> revokeKey(l.ownerId(), t.keyId()));
      }
    });
  }

  @Override
  public void endQueued(String loopId, List<String> turnIds, TurnOutcome outcome) {
    for (String turnId : turnIds) {
      finishTurn(new TurnEnd(loopId, turnId, outcome));
    }
  }

  private ObjectNode terminal(TurnEnd end) {
    ObjectNode data = json.createObjectNode();
    if ("error".equals(end.outcome().status())) {
      data.put("code", end.outcome().code());
      data.put("message", end.outcome().message());
    }
    data.put("turn_id", end.turnId());
    return data;
  }

  private void withdraw(String choiceId, String reason) {
    jdbi.onDemand(LoopDao.class).choice(choiceId).ifPresent(c -> {
      try {
        withdrawal.withdraw(c.interruptId(), reason);
      } catch (RuntimeException e) {
        log.info("choice {} not withdrawn: {}", choiceId, e.getMessage());
      }
    });
  }

  private AgentEvents events(TurnInput turn) {
    LoopDao dao = jdbi.onDemand(LoopDao.class);
    return new AgentEvents() {
      @Override
      public void event(String name, ObjectNode data) {
        dao.append(turn.loopId(), turn.turnId(), name, text(data), null);
      }

      @Override
      public void session(String sessionId) {
        dao.setAgentSession(turn.loopId(), sessionId);
      }
    };
  }

  /** The loop's folder: its repo's, or its own under the loops directory. */
  Path workdir(LoopRow loop) {
    if (loop.repo() != null) {
      Path repo = settings.repos().get(loop.repo());
      if (repo == null) {
        throw new IllegalArgumentException("repo " + loop.repo() + " is not configured"
            + " (loops.repos)");
      }
      if (!Files.isDirectory(repo)) {
        throw new IllegalArgumentException("repo " + loop.repo() + " maps to " + repo
            + ", which is not a folder");
      }
      return repo;
    }
    Path own = settings.loopsDir().resolve(loop.id());
    try {
      Files.createDirectories(own);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot create " + own + ": " + e.getMessage());
    }
    return own;
  }

  private void mintKey(LoopRow loop, String keyId, String key) {
    UUID creator = null;
    try {
      creator = UUID.fromString(loop.createdBy());
    } catch (IllegalArgumentException notAUser) {
      // A loop created with an API key: the turn's key records no person.
    }
    UUID createdBy = creator;
    jdbi.useExtension(ApiKeyDao.class, keys -> {
      jdbi.useHandle(h -> h.execute("delete from api_keys where id = ?", keyId)); // an earlier attempt's
      keys.create(keyId, loop.ownerId(), "loop " + loop.id() + " turn", ApiKeySql.sha256Hex(key),
          "ilk_", TURN_KEY_SCOPES, clock.instant().plus(settings.keyLifetime()), null, null,
          createdBy);
    });
  }

  private void revokeKey(String ownerId, String keyId) {
    jdbi.useExtension(ApiKeyDao.class, keys -> keys.revoke(keyId, ownerId, clock.instant()));
  }

  private Path writeMcpConfig(String turnId, String key) {
    ObjectNode server = json.createObjectNode().put("type", "http").put("url", settings.mcpUrl().get());
    server.putObject("headers").put("Authorization", "Bearer " + key);
    ObjectNode config = json.createObjectNode();
    config.putObject("mcpServers").set("interlock", server);
    try {
      Path dir = settings.loopsDir().resolve(".mcp");
      Files.createDirectories(dir);
      Path file = dir.resolve(turnId + ".json");
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Files.writeString(file, json.writeValueAsString(config));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String text(ObjectNode data) {
    try {
      return json.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
