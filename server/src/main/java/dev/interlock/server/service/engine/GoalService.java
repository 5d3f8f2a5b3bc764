package dev.interlock.server.service.engine;

import static dev.interlock.server.service.engine.EngineRules.newId;
import static dev.interlock.server.service.engine.EngineRules.unprocessable;

import dev.interlock.model.engine.GoalRow;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.service.Page;
import dev.interlock.store.engine.GoalDao;
import dev.interlock.store.engine.GoalDao.GoalFields;
import dev.interlock.store.engine.ProjectDao;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Goals of a workspace. */
public final class GoalService {

  /**
   * What a goal is written with. On create a null (or null-valued) field is unset; on update
   * a null field keeps its value and a {@link Change} sets it (to null: cleared).
   */
  public record GoalCommand(String title, Change<String> description, Change<String> metric,
      Change<Double> targetValue, Change<Double> currentValue, Change<String> unit,
      String status, Change<String> projectId) {}

  private final Jdbi jdbi;

  public GoalService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Live goals, newest first. */
  public Page<GoalRow> list(String ownerId, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      GoalDao dao = h.attach(GoalDao.class);
      return new Page<>(dao.page(ownerId, limit, offset), dao.count(ownerId), limit, offset);
    });
  }

  /** A live goal; 404 "Goal not found" otherwise. */
  public GoalRow get(String ownerId, String id) {
    return jdbi.withExtension(GoalDao.class, dao -> dao.findLive(ownerId, id))
        .orElseThrow(GoalService::notFound);
  }

  /** 422 "Project not found" when {@code projectId} names no live project of the workspace. */
  public GoalRow create(String ownerId, GoalCommand c) {
    return jdbi.inTransaction(h -> {
      String projectId = Change.apply(c.projectId(), null);
      requireProject(h, ownerId, projectId);
      return h.attach(GoalDao.class).insert(new GoalFields(newId("goal"), ownerId, c.title(),
          Change.apply(c.description(), null), Change.apply(c.metric(), null),
          Change.apply(c.targetValue(), null), Change.apply(c.currentValue(), null),
          Change.apply(c.unit(), null), c.status() != null ? c.status() : "active", projectId));
    });
  }

  public GoalRow update(String ownerId, String id, GoalCommand c) {
    return jdbi.inTransaction(h -> {
      GoalDao dao = h.attach(GoalDao.class);
      GoalRow cur = dao.findLive(ownerId, id).orElseThrow(GoalService::notFound);
      String projectId = Change.apply(c.projectId(), cur.projectId());
      if (projectId != null && !projectId.equals(cur.projectId())) {
        requireProject(h, ownerId, projectId);
      }
      return dao.update(new GoalFields(id, ownerId,
          c.title() != null ? c.title() : cur.title(),
          Change.apply(c.description(), cur.description()),
          Change.apply(c.metric(), cur.metric()),
          Change.apply(c.targetValue(), cur.targetValue()),
          Change.apply(c.currentValue(), cur.currentValue()),
          Change.apply(c.unit(), cur.unit()),
          c.status() != null ? c.status() : cur.status(), projectId));
    });
  }

  public void delete(String ownerId, String id) {
    if (jdbi.withExtension(GoalDao.class, dao -> dao.softDelete(ownerId, id)) == 0) {
      throw notFound();
    }
  }

  private static void requireProject(Handle h, String ownerId, String projectId) {
    if (projectId != null && h.attach(ProjectDao.class).findLive(ownerId, projectId).isEmpty()) {
      throw unprocessable("Project not found");
    }
  }

  private static NotFound notFound() {
    return new NotFound("Goal not found");
  }
}
