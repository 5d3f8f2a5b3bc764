package dev.interlock.server.service.engine;

import dev.interlock.server.errors.Refusal;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** The engine's vocabularies and the small helpers its services share. */
public final class EngineRules {

  public static final List<String> ISSUE_TYPES =
      List.of("signal", "hypothesis", "plan", "task", "monitor");
  public static final List<String> ISSUE_STATUSES =
      List.of("triage", "backlog", "todo", "in_progress", "done", "canceled");
  public static final List<String> RELATION_TYPES =
      List.of("blocks", "blocked_by", "related", "duplicate");
  public static final List<String> AUTHOR_TYPES = List.of("human", "agent");
  public static final List<String> PROJECT_STATUSES =
      List.of("backlog", "planned", "active", "paused", "completed", "canceled");
  public static final List<String> PROJECT_HEALTHS = List.of("on_track", "at_risk", "off_track");
  public static final List<String> GOAL_STATUSES = List.of("active", "achieved", "abandoned");

  private EngineRules() {}

  /** {@code <kind>_<uuid>}. */
  static String newId(String kind) {
    return kind + "_" + UUID.randomUUID();
  }

  /** Loop's 422: the request is well-formed but breaks a rule (or names what is not there). */
  public static Refusal unprocessable(String message) {
    return new Refusal(422, "validation_error", message);
  }

  /** The relation an issue's pair partner sees. */
  static String inverse(String relationType) {
    return switch (relationType) {
      case "blocks" -> "blocked_by";
      case "blocked_by" -> "blocks";
      default -> relationType;
    };
  }

  /** Whether {@code e} (or a cause) is PostgreSQL's unique violation. */
  static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
