package dev.interlock.store.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.model.engine.GoalRow;
import dev.interlock.model.engine.LabelRow;
import dev.interlock.model.engine.ProjectRow;
import dev.interlock.model.engine.StatusCountRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.GoalDao.GoalFields;
import dev.interlock.store.engine.IssueDao.NewIssue;
import dev.interlock.store.engine.ProjectDao.ProjectFields;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Labels, projects and goals in the store: soft deletion, uniqueness, counts, links. */
class OrganizingDaoTest {

  private static Jdbi jdbi;
  private static LabelDao labels;
  private static ProjectDao projects;
  private static GoalDao goals;
  private static IssueDao issues;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(OrganizingDaoTest.class);
    labels = jdbi.onDemand(LabelDao.class);
    projects = jdbi.onDemand(ProjectDao.class);
    goals = jdbi.onDemand(GoalDao.class);
    issues = jdbi.onDemand(IssueDao.class);
  }

  private static String workspace() {
    return "ws-" + UUID.randomUUID();
  }

  @Test
  void givenLabel_whenSameNameInAnyCase_thenRefusedUntilTheFirstIsDeleted() {
    String owner = workspace();
    LabelRow bug = labels.insert("lbl_1" + owner, owner, "Bug", "#f00");
    assertThat(labels.nameTaken(owner, "bUG")).isTrue();
    assertThat(labels.nameTaken(workspace(), "bug")).isFalse();
    assertThatThrownBy(() -> labels.insert("lbl_2" + owner, owner, "bug", "#0f0"))
        .hasMessageContaining("engine_labels_name");
    assertThat(labels.softDelete(owner, bug.id())).isOne();
    assertThat(labels.findLive(owner, bug.id())).isEmpty();
    assertThat(labels.count(owner)).isZero();
    assertThat(labels.insert("lbl_3" + owner, owner, "bug", "#0f0").name()).isEqualTo("bug");
    assertThat(labels.page(owner, 10, 0)).extracting(LabelRow::id).containsExactly("lbl_3" + owner);
  }

  @Test
  void givenProjectWithIssues_thenCountsPerStatusLeaveOutDeletedIssuesAndOtherProjects() {
    String owner = workspace();
    ProjectRow p = projects.insert(new ProjectFields("proj_" + UUID.randomUUID(), owner, "P",
        null, "active", "on_track", null));
    for (String status : new String[] {"todo", "todo", "done", "in_progress"}) {
      issues.insert(new NewIssue("iss_" + UUID.randomUUID(), owner, "t", null, "task", status, 0,
          null, p.id(), null, null, null, false));
    }
    String deleted = issues.insert(new NewIssue("iss_" + UUID.randomUUID(), owner, "t", null,
        "task", "todo", 0, null, p.id(), null, null, null, false)).id();
    issues.softDelete(owner, deleted);
    issues.insert(new NewIssue("iss_" + UUID.randomUUID(), owner, "t", null, "task", "todo", 0,
        null, null, null, null, null, false));

    assertThat(projects.issueCounts(owner, p.id())).extracting(StatusCountRow::status,
        StatusCountRow::count).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("todo", 2L),
            org.assertj.core.groups.Tuple.tuple("done", 1L),
            org.assertj.core.groups.Tuple.tuple("in_progress", 1L));
    ProjectRow renamed = projects.update(new ProjectFields(p.id(), owner, "Q", "d", "paused",
        "at_risk", null));
    assertThat(renamed.name()).isEqualTo("Q");
    assertThat(renamed.updatedAt()).isAfterOrEqualTo(p.updatedAt());
    assertThat(projects.softDelete(owner, p.id())).isOne();
    assertThat(projects.findLive(owner, p.id())).isEmpty();
    assertThat(projects.count(owner)).isZero();
  }

  @Test
  void givenGoalsLinkedEitherWay_whenAProjectsGoalIsAsked_thenItsOwnGoalIdWinsThenAnActiveGoal() {
    String owner = workspace();
    ProjectRow p = projects.insert(new ProjectFields("proj_" + UUID.randomUUID(), owner, "P",
        null, "active", "on_track", null));
    assertThat(goals.ofProject(owner, p.id())).isEmpty();
    GoalRow achieved = goals.insert(new GoalFields("goal_a" + owner, owner, "old", null, null,
        null, null, null, "achieved", p.id()));
    GoalRow active = goals.insert(new GoalFields("goal_b" + owner, owner, "new", null, "m", 0.05,
        0.18, "ratio", "active", p.id()));
    assertThat(active.targetValue()).isEqualTo(0.05);
    assertThat(goals.ofProject(owner, p.id())).map(GoalRow::id).contains(active.id());
    projects.update(new ProjectFields(p.id(), owner, "P", null, "active", "on_track",
        achieved.id()));
    assertThat(goals.ofProject(owner, p.id())).map(GoalRow::id).contains(achieved.id());
    goals.softDelete(owner, achieved.id());
    assertThat(goals.ofProject(owner, p.id())).map(GoalRow::id).contains(active.id());
    assertThat(goals.ofProject(workspace(), p.id())).isEmpty();

    String hasActiveGoal = "select " + GoalDao.ACTIVE_GOAL_OF_P
        + " from engine_projects p where p.id = :id";
    java.util.function.BooleanSupplier served = () -> jdbi.withHandle(h ->
        h.createQuery(hasActiveGoal).bind("id", p.id()).mapTo(Boolean.class).one());
    assertThat(served.getAsBoolean()).isTrue();
    goals.update(new GoalFields(active.id(), owner, "new", null, null, null, null, null,
        "abandoned", p.id()));
    assertThat(served.getAsBoolean()).isFalse();
    assertThat(goals.page(owner, 10, 0)).extracting(GoalRow::id).containsExactly(active.id());
  }
}
