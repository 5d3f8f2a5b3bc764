package dev.interlock.store.engine;

import dev.interlock.model.engine.LabelRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Labels, and which issues carry them. "Live" means not soft-deleted. */
@RegisterConstructorMapper(LabelRow.class)
public interface LabelDao {

  String COLUMNS = "id, owner_id, name, color, created_at, deleted_at";

  /** A new label; fails on the unique index when a live label has the name (any case). */
  @SqlQuery("""
      insert into engine_labels (id, owner_id, name, color) values (:id, :ownerId, :name, :color)
      returning\s""" + COLUMNS)
  LabelRow insert(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("name") String name, @Bind("color") String color);

  @SqlQuery("""
      select exists (select 1 from engine_labels
                      where owner_id = :ownerId and lower(name) = lower(:name)
                        and deleted_at is null)""")
  boolean nameTaken(@Bind("ownerId") String ownerId, @Bind("name") String name);

  @SqlQuery("select " + COLUMNS + " " + """
       from engine_labels where owner_id = :ownerId and id = :id and deleted_at is null""")
  Optional<LabelRow> findLive(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Live labels of the workspace, newest first. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_labels where owner_id = :ownerId and deleted_at is null
      order by created_at desc, id desc limit :limit offset :offset""")
  List<LabelRow> page(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_labels where owner_id = :ownerId and deleted_at is null")
  long count(@Bind("ownerId") String ownerId);

  @SqlUpdate("""
      update engine_labels set deleted_at = now()
       where owner_id = :ownerId and id = :id and deleted_at is null""")
  int softDelete(@Bind("ownerId") String ownerId, @Bind("id") String id);

  @SqlUpdate("""
      insert into engine_issue_labels (issue_id, label_id) values (:issueId, :labelId)
      on conflict do nothing""")
  void attach(@Bind("issueId") String issueId, @Bind("labelId") String labelId);

  @SqlUpdate("delete from engine_issue_labels where issue_id = :issueId")
  void detachAll(@Bind("issueId") String issueId);

  /** The live labels an issue carries, by name. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_labels l
      where l.deleted_at is null
        and l.id in (select label_id from engine_issue_labels where issue_id = :issueId)
      order by lower(l.name), l.id""")
  List<LabelRow> ofIssue(@Bind("issueId") String issueId);
}
