package dev.interlock.store.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.IssueDao.NewIssue;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a prompt is hydrated with, read from the V10 tables as other areas write them. */
class PromptContextDaoTest {

  static final String OWNER = "ws-context";
  static Jdbi jdbi;
  static PromptContextDao dao;
  static IssueDao issues;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(PromptContextDaoTest.class);
    dao = jdbi.onDemand(PromptContextDao.class);
    issues = jdbi.onDemand(IssueDao.class);
  }

  static IssueRow issue(String title, String parentId, String projectId) {
    return issues.insert(new NewIssue("iss_" + UUID.randomUUID(), OWNER, title, null, "task",
        "todo", 2, parentId, projectId, null, null, null, false));
  }

  static void sql(String sql, Object... args) {
    jdbi.useHandle(h -> h.execute(sql, args));
  }

  @Test
  void givenAFamily_whenRead_thenSiblingsExcludeTheIssueAndDeletedOnesAreSkipped() {
    IssueRow parent = issue("parent", null, null);
    IssueRow me = issue("me", parent.id(), null);
    IssueRow sister = issue("sister", parent.id(), null);
    IssueRow gone = issue("gone", parent.id(), null);
    IssueRow child = issue("child", me.id(), null);
    sql("update engine_issues set deleted_at = now() where id = ?", gone.id());

    assertThat(dao.siblings(OWNER, parent.id(), me.id())).extracting(IssueRow::id)
        .containsExactly(sister.id());
    assertThat(dao.children(OWNER, me.id())).extracting(IssueRow::id).containsExactly(child.id());
    assertThat(dao.children("ws-elsewhere", me.id())).isEmpty();
  }

  @Test
  void givenRelationsWrittenFromEitherSide_whenRead_thenBlockersAndBlockedAreBoth() {
    IssueRow me = issue("me", null, null);
    IssueRow a = issue("blocks me", null, null);
    IssueRow b = issue("I am blocked by it", null, null);
    IssueRow c = issue("I block it", null, null);
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, 'blocks', ?, ?)", "rel_1" + me.id(), OWNER, a.id(), me.id());
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, 'blocked_by', ?, ?)", "rel_2" + me.id(), OWNER, me.id(), b.id());
    sql("insert into engine_relations (id, owner_id, type, issue_id, related_issue_id)"
        + " values (?, ?, 'blocks', ?, ?)", "rel_3" + me.id(), OWNER, me.id(), c.id());

    assertThat(dao.blockedBy(OWNER, me.id())).extracting(IssueRow::id)
        .containsExactly(a.id(), b.id());
    assertThat(dao.blocking(OWNER, me.id())).extracting(IssueRow::id).containsExactly(c.id());
    assertThat(dao.blocking(OWNER, a.id())).extracting(IssueRow::id).containsExactly(me.id());
  }

  @Test
  void givenAProject_whenItsGoalIsRead_thenTheNamedGoalWinsElseALinkedActiveOne() {
    sql("insert into engine_projects (id, owner_id, name) values ('proj_ctx', ?, 'Checkout')",
        OWNER);
    sql("insert into engine_goals (id, owner_id, title, status, project_id, created_at) values"
        + " ('goal_old', ?, 'Old', 'achieved', 'proj_ctx', now() - interval '1 day')", OWNER);
    sql("insert into engine_goals (id, owner_id, title, status, project_id, target_value, unit)"
        + " values ('goal_active', ?, 'Conversion', 'active', 'proj_ctx', 4.5, '%')", OWNER);
    assertThat(dao.goal(OWNER, "proj_ctx", null)).map(PromptContextDao.Goal::id)
        .contains("goal_active");
    assertThat(dao.goal(OWNER, "proj_ctx", "goal_old")).map(PromptContextDao.Goal::id)
        .contains("goal_old");
    assertThat(dao.project(OWNER, "proj_ctx")).map(PromptContextDao.Project::name)
        .contains("Checkout");
    assertThat(dao.project("ws-elsewhere", "proj_ctx")).isEmpty();
  }

  @Test
  void givenEndedClaims_whenRead_thenSessionsAreListedAndAnUncompletedOneIsAFailure() {
    IssueRow done = issue("done before", null, null);
    IssueRow lapsed = issue("lapsed before", null, null);
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until, ended_at,"
        + " outcome) values ('dsp_a', ?, ?, 'key:k', now(), now(), 'completed')", OWNER, done.id());
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until, ended_at,"
        + " outcome) values ('dsp_b', ?, ?, 'key:k', now(), now(), 'lapsed')", OWNER, lapsed.id());
    sql("insert into engine_dispatches (id, owner_id, issue_id, claimed_by, lease_until)"
        + " values ('dsp_c', ?, ?, 'key:k', now() + interval '1 hour')", OWNER, lapsed.id());

    assertThat(dao.hasFailedSessions(OWNER, done.id())).isFalse();
    assertThat(dao.hasFailedSessions(OWNER, lapsed.id())).isTrue();
    assertThat(dao.sessions(OWNER, lapsed.id())).extracting(PromptContextDao.Session::outcome)
        .containsExactly("lapsed");
  }

  @Test
  void givenLabels_whenRead_thenDeletedOnesAreLeftOut() {
    IssueRow me = issue("labelled", null, null);
    sql("insert into engine_labels (id, owner_id, name, color) values ('lbl_x', ?, 'Bug', '#f00')",
        OWNER);
    sql("insert into engine_labels (id, owner_id, name, color, deleted_at)"
        + " values ('lbl_y', ?, 'Old', '#0f0', now())", OWNER);
    sql("insert into engine_issue_labels (issue_id, label_id) values (?, 'lbl_x'), (?, 'lbl_y')",
        me.id(), me.id());
    assertThat(dao.labels(OWNER, me.id())).extracting(PromptContextDao.Label::name)
        .containsExactly("Bug");
  }
}
