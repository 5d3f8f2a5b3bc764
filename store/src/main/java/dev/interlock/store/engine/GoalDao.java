package dev.interlock.store.engine;

import dev.interlock.model.engine.GoalRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Goals. "Live" means not soft-deleted. */
@RegisterConstructorMapper(GoalRow.class)
public interface GoalDao {

  String COLUMNS = "id, owner_id, title, description, metric, target_value, current_value, unit,"
      + " status, project_id, created_at, updated_at, deleted_at";

  /** Every field a goal is written with (on create and on update). */
  record GoalFields(String id, String ownerId, String title, String description, String metric,
      Double targetValue, Double currentValue, String unit, String status, String projectId) {}

  @SqlQuery("""
      insert into engine_goals (id, owner_id, title, description, metric, target_value,
                                current_value, unit, status, project_id)
      values (:g.id, :g.ownerId, :g.title, :g.description, :g.metric, :g.targetValue,
              :g.currentValue, :g.unit, :g.status, :g.projectId)
      returning\s""" + COLUMNS)
  GoalRow insert(@BindMethods("g") GoalFields goal);

  @SqlQuery("""
      update engine_goals
         set title = :g.title, description = :g.description, metric = :g.metric,
             target_value = :g.targetValue, current_value = :g.currentValue, unit = :g.unit,
             status = :g.status, project_id = :g.projectId, updated_at = now()
       where owner_id = :g.ownerId and id = :g.id
      returning\s""" + COLUMNS)
  GoalRow update(@BindMethods("g") GoalFields goal);

  @SqlQuery("select " + COLUMNS + " " + """
       from engine_goals where owner_id = :ownerId and id = :id and deleted_at is null""")
  Optional<GoalRow> findLive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Live goals of the workspace, newest first. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_goals where owner_id = :ownerId and deleted_at is null
      order by created_at desc, id desc limit :limit offset :offset""")
  List<GoalRow> page(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_goals where owner_id = :ownerId and deleted_at is null")
  long count(@Bind("ownerId") String ownerId);

  @SqlUpdate("""
      update engine_goals set deleted_at = now(), updated_at = now()
       where owner_id = :ownerId and id = :id and deleted_at is null""")
  int softDelete(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /**
   * The goal a project serves: the live goal its {@code goal_id} names, else the live goal
   * that names the project (an active one first, then the newest). Both links exist in
   * Loop's API (a project's {@code goalId}, a goal's {@code projectId}); either makes the
   * project serve the goal.
   */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_goals g
      where g.owner_id = :ownerId and g.deleted_at is null
        and (g.id = (select goal_id from engine_projects where id = :projectId)
             or g.project_id = :projectId)
      order by (g.id is not distinct from (select goal_id from engine_projects
                                          where id = :projectId)) desc,
               (g.status = 'active') desc, g.created_at desc
      limit 1""")
  Optional<GoalRow> ofProject(@Bind("ownerId") String ownerId,
      @Bind("projectId") String projectId);

  /**
   * SQL true when the project aliased {@code p} serves an active, live goal (by either
   * link, as {@link #ofProject} reads them): dispatch's goal bonus.
   */
  String ACTIVE_GOAL_OF_P = """
      exists (select 1 from engine_goals g
               where g.deleted_at is null and g.status = 'active'
                 and (g.id = p.goal_id or g.project_id = p.id))
      """;
}
