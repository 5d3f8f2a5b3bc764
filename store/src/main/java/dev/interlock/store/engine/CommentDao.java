package dev.interlock.store.engine;

import dev.interlock.model.engine.CommentRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Comments on issues. */
@RegisterConstructorMapper(CommentRow.class)
public interface CommentDao {

  String COLUMNS = "id, owner_id, issue_id, body, author_name, author_type, parent_id, created_at";

  @SqlQuery("""
      insert into engine_comments (id, owner_id, issue_id, body, author_name, author_type,
                                   parent_id)
      values (:id, :ownerId, :issueId, :body, :authorName, :authorType, :parentId)
      returning\s""" + COLUMNS)
  CommentRow insert(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("issueId") String issueId, @Bind("body") String body,
      @Bind("authorName") String authorName, @Bind("authorType") String authorType,
      @Bind("parentId") String parentId);

  @SqlQuery("select " + COLUMNS
      + " from engine_comments where owner_id = :ownerId and id = :id")
  Optional<CommentRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** An issue's comments, oldest first. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_comments
      where owner_id = :ownerId and issue_id = :issueId
      order by created_at, id""")
  List<CommentRow> ofIssue(@Bind("ownerId") String ownerId, @Bind("issueId") String issueId);
}
