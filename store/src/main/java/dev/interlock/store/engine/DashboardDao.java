package dev.interlock.store.engine;

import dev.interlock.model.engine.DashboardRows.ChainHead;
import dev.interlock.model.engine.DashboardRows.DispatchCounts;
import dev.interlock.model.engine.DashboardRows.GoalCount;
import dev.interlock.model.engine.DashboardRows.IssueCount;
import dev.interlock.model.engine.DashboardRows.ReviewTotals;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.RelationRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What Loop's dashboard reads, one workspace at a time: counts of issues, goals and the
 * dispatch queue; activity chains (root issues, their children, the children's relations);
 * the health of prompt templates (versions and review means). Read-only.
 */
@RegisterConstructorMapper(IssueCount.class)
@RegisterConstructorMapper(GoalCount.class)
@RegisterConstructorMapper(DispatchCounts.class)
@RegisterConstructorMapper(ChainHead.class)
@RegisterConstructorMapper(RelationRow.class)
@RegisterConstructorMapper(TemplateRow.class)
@RegisterConstructorMapper(TemplateVersionRow.class)
@RegisterConstructorMapper(ReviewTotals.class)
@RegisterConstructorMapper(IssueRow.class)
public interface DashboardDao {

  @SqlQuery("""
      select status, type, count(*) as count from engine_issues
       where owner_id = :ownerId and deleted_at is null
       group by status, type""")
  List<IssueCount> issueCounts(@Bind("ownerId") String ownerId);

  @SqlQuery("""
      select status, count(*) as count from engine_goals
       where owner_id = :ownerId and deleted_at is null
       group by status""")
  List<GoalCount> goalCounts(@Bind("ownerId") String ownerId);

  @SqlQuery("""
      select
        (select count(*) from engine_issues i
          where i.owner_id = :ownerId and i.status = 'todo' and i.deleted_at is null
            and not exists (
              select 1 from engine_relations r
                join engine_issues blocker on blocker.id = r.related_issue_id
               where r.issue_id = i.id and r.type = 'blocked_by'
                 and blocker.deleted_at is null
                 and blocker.status not in ('done', 'canceled'))) as queue_depth,
        (select count(*) from engine_issues
          where owner_id = :ownerId and status = 'in_progress' and deleted_at is null)
          as active_count,
        (select count(*) from engine_issues
          where owner_id = :ownerId and status = 'done' and deleted_at is null
            and completed_at >= now() - interval '24 hours') as completed_last24h""")
  DispatchCounts dispatchCounts(@Bind("ownerId") String ownerId);

  /** Live issues without a parent: the roots of the activity chains. */
  @SqlQuery("""
      select count(*) from engine_issues
       where owner_id = :ownerId and parent_id is null and deleted_at is null""")
  long chainCount(@Bind("ownerId") String ownerId);

  /**
   * A window of the chains' roots, the chain with the latest update (the root's or a live
   * child's) first.
   */
  @SqlQuery("""
      select root.id,
             greatest(root.updated_at, coalesce(max(child.updated_at), root.updated_at))
               as latest_activity
        from engine_issues root
        left join engine_issues child
          on child.parent_id = root.id and child.deleted_at is null
       where root.owner_id = :ownerId and root.parent_id is null and root.deleted_at is null
       group by root.id, root.updated_at
       order by latest_activity desc, root.id
       limit :limit offset :offset""")
  List<ChainHead> chainHeads(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and id in (<ids>)")
  List<IssueRow> issues(@Bind("ownerId") String ownerId, @BindList("ids") Collection<String> ids);

  /** The live children of these issues, oldest first. */
  @SqlQuery("select " + IssueDao.COLUMNS + " from engine_issues"
      + " where owner_id = :ownerId and parent_id in (<parentIds>) and deleted_at is null"
      + " order by created_at, number")
  List<IssueRow> children(@Bind("ownerId") String ownerId,
      @BindList("parentIds") Collection<String> parentIds);

  /** The relations these issues hold (as {@code issueId}), oldest first. */
  @SqlQuery("select " + RelationDao.COLUMNS + " from engine_relations"
      + " where owner_id = :ownerId and issue_id in (<issueIds>) order by created_at, id")
  List<RelationRow> relations(@Bind("ownerId") String ownerId,
      @BindList("issueIds") Collection<String> issueIds);

  @SqlQuery("select " + TemplateDao.COLUMNS + " from engine_templates"
      + " where owner_id = :ownerId and deleted_at is null order by created_at, id")
  List<TemplateRow> templates(@Bind("ownerId") String ownerId);

  /** The latest {@code perTemplate} versions of each of these templates, newest first. */
  @SqlQuery("select " + TemplateDao.VERSION_COLUMNS + " from ("
      + " select *, row_number() over (partition by template_id order by version desc) as nth"
      + "   from engine_template_versions where template_id in (<templateIds>)) v"
      + " where v.nth <= :perTemplate order by v.template_id, v.version desc")
  List<TemplateVersionRow> recentVersions(@BindList("templateIds") Collection<String> templateIds,
      @Bind("perTemplate") int perTemplate);

  /** These versions (the templates' active ones). */
  @SqlQuery("select " + TemplateDao.VERSION_COLUMNS + " from engine_template_versions"
      + " where id in (<ids>)")
  List<TemplateVersionRow> versions(@BindList("ids") Collection<String> ids);

  /** Each of these templates' review count and score means, over all of its versions. */
  @SqlQuery("""
      select v.template_id, count(*) as total_reviews,
             avg(r.clarity)::float8 as avg_clarity,
             avg(r.completeness)::float8 as avg_completeness,
             avg(r.relevance)::float8 as avg_relevance
        from engine_prompt_reviews r
        join engine_template_versions v on v.id = r.version_id
       where r.owner_id = :ownerId and v.template_id in (<templateIds>)
       group by v.template_id""")
  List<ReviewTotals> reviewTotals(@Bind("ownerId") String ownerId,
      @BindList("templateIds") Collection<String> templateIds);
}
