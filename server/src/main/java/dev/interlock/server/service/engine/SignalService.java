package dev.interlock.server.service.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.SignalRow;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.WorkspaceDao;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.store.engine.SignalDao;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Signals: an event from outside becomes, in one transaction, a signal and the {@code triage}
 * issue of type {@code signal} that asks an agent to look at it, its priority from the
 * signal's severity. A provider webhook's delivery is stored once: a redelivery (same
 * workspace, source and delivery key) finds the signal the first delivery stored, even when
 * both arrive at once.
 */
public final class SignalService {

  public static final List<String> SEVERITIES = List.of("low", "medium", "high", "critical");

  /** Loop's mapping: a critical signal's issue is urgent (1), a low one's low (4). */
  private static final Map<String, Integer> PRIORITY_OF_SEVERITY =
      Map.of("critical", 1, "high", 2, "medium", 3, "low", 4);

  /** Longest title a signal gives its issue; a longer summary is cut with an ellipsis. */
  static final int MAX_TITLE = 300;

  /**
   * What a signal is made of.
   *
   * @param title the issue's title ({@link #titleOf} for the generic endpoint; each provider
   *     has its own)
   * @param projectId the project the issue belongs to, or null
   */
  public record NewSignal(String source, String sourceId, String type, String severity,
      ObjectNode payload, String projectId, String title) {

    public NewSignal {
      if (!PRIORITY_OF_SEVERITY.containsKey(severity)) {
        throw new IllegalArgumentException("unknown severity " + severity);
      }
    }
  }

  /**
   * A signal and its issue.
   *
   * @param redelivered true when the delivery had been stored before: nothing new was stored,
   *     and these are the signal the first delivery stored and its issue as it is now
   */
  public record Ingested(SignalRow signal, IssueRow issue, boolean redelivered) {}

  private final Jdbi jdbi;
  private final ObjectMapper json;

  public SignalService(Jdbi jdbi, ObjectMapper json) {
    this.jdbi = jdbi;
    this.json = json;
  }

  /**
   * Whether {@code ownerId} is a workspace signals can be filed in: {@code admin} (the admin
   * key's, which exists before anyone registers) or a workspace that exists.
   */
  public boolean workspaceExists(String ownerId) {
    return Workspaces.DEFAULT.equals(ownerId)
        || jdbi.withExtension(WorkspaceDao.class, dao -> dao.workspace(ownerId)).isPresent();
  }

  /** The issue priority a severity gives (critical 1, high 2, medium 3, low 4). */
  public static int priorityOf(String severity) {
    return PRIORITY_OF_SEVERITY.get(severity);
  }

  /**
   * Loop's title for a signal's issue: {@code [source] type: summary}, the summary being the
   * payload's {@code message}, else its {@code title}, else the type.
   */
  public static String titleOf(String source, String type, JsonNode payload) {
    String summary = type;
    if (payload != null && payload.path("message").isTextual()) {
      summary = payload.path("message").asText();
    } else if (payload != null && payload.path("title").isTextual()) {
      summary = payload.path("title").asText();
    }
    return "[" + source + "] " + type + ": " + summary;
  }

  /** A title cut to {@link #MAX_TITLE} characters, on one line. */
  static String fitTitle(String title) {
    String line = title.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() <= MAX_TITLE ? line
        : line.substring(0, MAX_TITLE - 1).stripTrailing() + "…";
  }

  /**
   * Stores a signal and its triage issue in workspace {@code ownerId}.
   *
   * @param deliveryKey a provider's delivery id (or the body's hash), or null: with one, a
   *     second delivery stores nothing and answers what the first stored
   * @throws NotFound when {@code projectId} names no live project of the workspace
   */
  public Ingested ingest(String ownerId, NewSignal signal, String deliveryKey) {
    if (deliveryKey != null) {
      Optional<Ingested> earlier = stored(ownerId, signal.source(), deliveryKey);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    String payloadJson;
    try {
      payloadJson = json.writeValueAsString(signal.payload());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON object that cannot be written", e);
    }
    try {
      return jdbi.inTransaction(h -> {
        SignalDao signals = h.attach(SignalDao.class);
        if (signal.projectId() != null && !signals.liveProject(ownerId, signal.projectId())) {
          throw new NotFound("Project not found");
        }
        IssueRow issue = h.attach(IssueDao.class).insert(new IssueDao.NewIssue(
            "iss_" + UUID.randomUUID(), ownerId, fitTitle(signal.title()), null, "signal",
            "triage", priorityOf(signal.severity()), null, signal.projectId(), signal.source(),
            payloadJson, null, false));
        Optional<SignalRow> stored = signals.insert(new SignalDao.NewSignal(
            "sig_" + UUID.randomUUID(), ownerId, signal.source(), signal.sourceId(),
            signal.type(), signal.severity(), payloadJson, issue.id(), deliveryKey));
        if (stored.isEmpty()) {
          // Another delivery of the same key committed first: undo this issue too.
          throw new AlreadyDelivered();
        }
        return new Ingested(stored.get(), issue, false);
      });
    } catch (AlreadyDelivered e) {
      return stored(ownerId, signal.source(), deliveryKey).orElseThrow(() ->
          new IllegalStateException("a delivery reported stored but not found"));
    }
  }

  private Optional<Ingested> stored(String ownerId, String source, String deliveryKey) {
    return jdbi.withHandle(h -> h.attach(SignalDao.class)
        .byDelivery(ownerId, source, deliveryKey)
        .map(s -> new Ingested(s, h.attach(IssueDao.class).byId(s.issueId()).orElseThrow(),
            true)));
  }

  /** Rolls back a transaction whose delivery another one stored first. */
  private static final class AlreadyDelivered extends RuntimeException {
    AlreadyDelivered() {
      super(null, null, false, false);
    }
  }
}
