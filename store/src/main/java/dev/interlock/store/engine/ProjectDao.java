package dev.interlock.store.engine;

import dev.interlock.model.engine.ProjectRow;
import dev.interlock.model.engine.StatusCountRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMappers;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Projects. "Live" means not soft-deleted. */
@RegisterConstructorMappers({@RegisterConstructorMapper(ProjectRow.class),
    @RegisterConstructorMapper(StatusCountRow.class)})
public interface ProjectDao {

  String COLUMNS = "id, owner_id, name, description, status, health, goal_id, created_at,"
      + " updated_at, deleted_at";

  /** Every field a project is written with (on create and on update). */
  record ProjectFields(String id, String ownerId, String name, String description,
      String status, String health, String goalId) {}

  @SqlQuery("""
      insert into engine_projects (id, owner_id, name, description, status, health, goal_id)
      values (:p.id, :p.ownerId, :p.name, :p.description, :p.status, :p.health, :p.goalId)
      returning\s""" + COLUMNS)
  ProjectRow insert(@BindMethods("p") ProjectFields project);

  @SqlQuery("""
      update engine_projects
         set name = :p.name, description = :p.description, status = :p.status,
             health = :p.health, goal_id = :p.goalId, updated_at = now()
       where owner_id = :p.ownerId and id = :p.id
      returning\s""" + COLUMNS)
  ProjectRow update(@BindMethods("p") ProjectFields project);

  @SqlQuery("select " + COLUMNS + " " + """
       from engine_projects where owner_id = :ownerId and id = :id and deleted_at is null""")
  Optional<ProjectRow> findLive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Live projects of the workspace, newest first. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_projects where owner_id = :ownerId and deleted_at is null
      order by created_at desc, id desc limit :limit offset :offset""")
  List<ProjectRow> page(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_projects where owner_id = :ownerId and deleted_at is null")
  long count(@Bind("ownerId") String ownerId);

  @SqlUpdate("""
      update engine_projects set deleted_at = now(), updated_at = now()
       where owner_id = :ownerId and id = :id and deleted_at is null""")
  int softDelete(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** How many live issues of the project have each status (statuses with none left out). */
  @SqlQuery("""
      select status, count(*) as count from engine_issues
       where owner_id = :ownerId and project_id = :projectId and deleted_at is null
       group by status""")
  List<StatusCountRow> issueCounts(@Bind("ownerId") String ownerId,
      @Bind("projectId") String projectId);
}
