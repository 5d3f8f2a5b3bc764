package dev.interlock.store.engine;

import dev.interlock.model.engine.RelationRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Relations between issues. Each relation is stored as a pair, the row asked for and its
 * inverse ({@code blocks} ↔ {@code blocked_by}; {@code related} and {@code duplicate} are
 * their own inverses), written and deleted together by the service: every issue sees its
 * relations among its own rows, and "is it blocked?" is one indexed lookup
 * ({@link IssueDao#UNRESOLVED_BLOCKER_OF_I}).
 */
@RegisterConstructorMapper(RelationRow.class)
public interface RelationDao {

  String COLUMNS = "id, owner_id, type, issue_id, related_issue_id, created_at";

  @SqlQuery("""
      insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)
      values (:id, :ownerId, :type, :issueId, :relatedIssueId)
      returning\s""" + COLUMNS)
  RelationRow insert(@Bind("id") String id, @Bind("ownerId") String ownerId,
      @Bind("type") String type, @Bind("issueId") String issueId,
      @Bind("relatedIssueId") String relatedIssueId);

  @SqlQuery("select " + COLUMNS
      + " from engine_relations where owner_id = :ownerId and id = :id")
  Optional<RelationRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** The row of a pair seen from {@code issueId}'s side, if there is one. */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_relations
      where issue_id = :issueId and related_issue_id = :relatedIssueId and type = :type""")
  Optional<RelationRow> between(@Bind("issueId") String issueId,
      @Bind("relatedIssueId") String relatedIssueId, @Bind("type") String type);

  @SqlUpdate("delete from engine_relations where id = :id")
  int delete(@Bind("id") String id);

  /**
   * {@code issueId}'s relations (its side of each pair) to issues that are still live,
   * oldest first.
   */
  @SqlQuery("select " + COLUMNS + " " + """
       from engine_relations r
      where r.owner_id = :ownerId and r.issue_id = :issueId
        and exists (select 1 from engine_issues o
                     where o.id = r.related_issue_id and o.deleted_at is null)
      order by r.created_at, r.id""")
  List<RelationRow> ofIssue(@Bind("ownerId") String ownerId, @Bind("issueId") String issueId);

  /**
   * Whether {@code from} already waits on {@code to} through a chain of {@code blocked_by}
   * relations (any length): making {@code to} wait on {@code from} would then be a cycle no
   * agent could ever start.
   */
  @SqlQuery("""
      with recursive chain(id) as (
          select related_issue_id from engine_relations
           where issue_id = :from and type = 'blocked_by'
          union
          select r.related_issue_id from engine_relations r
            join chain c on r.issue_id = c.id
           where r.type = 'blocked_by')
      select exists (select 1 from chain where id = :to)""")
  boolean waitsOn(@Bind("from") String from, @Bind("to") String to);

  /** Serialises relation writes of one workspace (until the transaction ends). */
  @SqlQuery("""
      select 1 from (select pg_advisory_xact_lock(hashtext('engine_relations:' || :ownerId))) l""")
  int lockWorkspace(@Bind("ownerId") String ownerId);
}
