package dev.interlock.store.engine;

import dev.interlock.model.engine.IssueRow;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Loop's issues: the core every part of the engine shares (creating one with the next number
 * of its workspace, reading one). Listing, filtering and updating grow beside these.
 */
@RegisterConstructorMapper(IssueRow.class)
public interface IssueDao {

  String COLUMNS = "id, owner_id, number, title, description, type, status, priority, parent_id,"
      + " project_id, signal_source, signal_payload, hypothesis, agent_session_id, agent_summary,"
      + " commits, pull_requests, requires_approval, approval_interrupt_id, completed_at,"
      + " created_at, updated_at, deleted_at";

  /** The fields a new issue is made of; JSON fields as JSON text (or null). */
  record NewIssue(String id, String ownerId, String title, String description, String type,
      String status, int priority, String parentId, String projectId, String signalSource,
      String signalPayloadJson, String hypothesisJson, boolean requiresApproval) {}

  /**
   * The next issue number of the workspace; the counter's row lock serialises numbering, so
   * call it in the transaction that inserts the issue.
   */
  @SqlQuery("""
      insert into engine_counters (owner_id, next_issue) values (:ownerId, 1)
      on conflict (owner_id) do update set next_issue = engine_counters.next_issue + 1
      returning next_issue""")
  int nextNumber(@Bind("ownerId") String ownerId);

  @SqlQuery("""
      insert into engine_issues (id, owner_id, number, title, description, type, status, priority,
                                 parent_id, project_id, signal_source, signal_payload, hypothesis,
                                 requires_approval)
      values (:i.id, :i.ownerId, :number, :i.title, :i.description, :i.type, :i.status,
              :i.priority, :i.parentId, :i.projectId, :i.signalSource,
              cast(:i.signalPayloadJson as jsonb), cast(:i.hypothesisJson as jsonb),
              :i.requiresApproval)
      returning\s""" + COLUMNS)
  IssueRow insertNumbered(@org.jdbi.v3.sqlobject.customizer.BindMethods("i") NewIssue issue,
      @Bind("number") int number);

  /** A new issue with the workspace's next number (its own transaction, or the caller's). */
  @Transaction
  default IssueRow insert(NewIssue issue) {
    return insertNumbered(issue, nextNumber(issue.ownerId()));
  }

  /** An issue of the workspace, deleted ones included (the caller decides what they mean). */
  @SqlQuery("select " + COLUMNS + " from engine_issues where owner_id = :ownerId and id = :id")
  Optional<IssueRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** For the worker and the lease, which act for no caller. */
  @SqlQuery("select " + COLUMNS + " from engine_issues where id = :id")
  Optional<IssueRow> byId(@Bind("id") String id);

  @SqlUpdate("""
      update engine_issues set status = :status, updated_at = now(),
             completed_at = case when :status = 'done' then coalesce(completed_at, now())
                                 else completed_at end
       where id = :id""")
  int setStatus(@Bind("id") String id, @Bind("status") String status);
}
