package dev.interlock.server.service.engine;

import static dev.interlock.server.service.engine.EngineRules.newId;
import static dev.interlock.server.service.engine.EngineRules.unprocessable;

import dev.interlock.model.engine.GoalRow;
import dev.interlock.model.engine.ProjectRow;
import dev.interlock.model.engine.StatusCountRow;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.service.Page;
import dev.interlock.store.engine.GoalDao;
import dev.interlock.store.engine.ProjectDao;
import dev.interlock.store.engine.ProjectDao.ProjectFields;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Projects of a workspace, with the goal each serves and its issues counted by status. */
public final class ProjectService {

  /** What a project is written with; on update, a null field keeps its value. */
  public record ProjectCommand(String name, Change<String> description, String status,
      String health, Change<String> goalId) {}

  /**
   * A project with its goal (the live goal it serves, or null) and how many of its live
   * issues have each status (every status, 0 included).
   */
  public record ProjectDetail(ProjectRow project, GoalRow goal, Map<String, Long> issueCounts) {}

  private final Jdbi jdbi;

  public ProjectService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Live projects, newest first. */
  public Page<ProjectRow> list(String ownerId, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      ProjectDao dao = h.attach(ProjectDao.class);
      return new Page<>(dao.page(ownerId, limit, offset), dao.count(ownerId), limit, offset);
    });
  }

  /** A live project; 404 "Project not found" otherwise. */
  public ProjectRow get(String ownerId, String id) {
    return jdbi.withExtension(ProjectDao.class, dao -> dao.findLive(ownerId, id))
        .orElseThrow(ProjectService::notFound);
  }

  public ProjectDetail detail(String ownerId, String id) {
    return jdbi.inTransaction(h -> {
      ProjectRow project = h.attach(ProjectDao.class).findLive(ownerId, id)
          .orElseThrow(ProjectService::notFound);
      Map<String, Long> counts = new LinkedHashMap<>();
      EngineRules.ISSUE_STATUSES.forEach(s -> counts.put(s, 0L));
      for (StatusCountRow c : h.attach(ProjectDao.class).issueCounts(ownerId, id)) {
        counts.put(c.status(), c.count());
      }
      GoalRow goal = h.attach(GoalDao.class).ofProject(ownerId, id).orElse(null);
      return new ProjectDetail(project, goal, counts);
    });
  }

  /** 422 "Goal not found" when {@code goalId} names no live goal of the workspace. */
  public ProjectRow create(String ownerId, ProjectCommand c) {
    return jdbi.inTransaction(h -> {
      String goalId = Change.apply(c.goalId(), null);
      requireGoal(h, ownerId, goalId);
      return h.attach(ProjectDao.class).insert(new ProjectFields(newId("proj"), ownerId,
          c.name(), Change.apply(c.description(), null),
          c.status() != null ? c.status() : "backlog",
          c.health() != null ? c.health() : "on_track", goalId));
    });
  }

  public ProjectRow update(String ownerId, String id, ProjectCommand c) {
    return jdbi.inTransaction(h -> {
      ProjectDao dao = h.attach(ProjectDao.class);
      ProjectRow cur = dao.findLive(ownerId, id).orElseThrow(ProjectService::notFound);
      String goalId = Change.apply(c.goalId(), cur.goalId());
      if (goalId != null && !goalId.equals(cur.goalId())) {
        requireGoal(h, ownerId, goalId);
      }
      return dao.update(new ProjectFields(id, ownerId,
          c.name() != null ? c.name() : cur.name(),
          Change.apply(c.description(), cur.description()),
          c.status() != null ? c.status() : cur.status(),
          c.health() != null ? c.health() : cur.health(), goalId));
    });
  }

  /** Soft-deletes; its issues keep their {@code projectId}. */
  public void delete(String ownerId, String id) {
    if (jdbi.withExtension(ProjectDao.class, dao -> dao.softDelete(ownerId, id)) == 0) {
      throw notFound();
    }
  }

  private static void requireGoal(Handle h, String ownerId, String goalId) {
    if (goalId != null && h.attach(GoalDao.class).findLive(ownerId, goalId).isEmpty()) {
      throw unprocessable("Goal not found");
    }
  }

  private static NotFound notFound() {
    return new NotFound("Project not found");
  }
}
