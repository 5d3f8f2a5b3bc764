package dev.interlock.store.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.IssueDao.IssueFilter;
import dev.interlock.store.engine.IssueDao.NewIssue;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loop's issues in the store: numbering, filters, soft deletion, and the issues around one. */
class IssueDaoTest {

  private static Jdbi jdbi;
  private static IssueDao issues;
  private static LabelDao labels;
  private static RelationDao relations;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(IssueDaoTest.class);
    issues = jdbi.onDemand(IssueDao.class);
    labels = jdbi.onDemand(LabelDao.class);
    relations = jdbi.onDemand(RelationDao.class);
  }

  private static String workspace() {
    return "ws-" + UUID.randomUUID();
  }

  private static IssueRow issue(String owner, String title, String type, String status,
      int priority, String parentId, String projectId) {
    return issues.insert(new NewIssue("iss_" + UUID.randomUUID(), owner, title, null, type,
        status, priority, parentId, projectId, null, null, null, false));
  }

  private static IssueRow issue(String owner, String title) {
    return issue(owner, title, "task", "todo", 0, null, null);
  }

  private static IssueFilter none() {
    return new IssueFilter(null, null, null, null, null, null);
  }

  @Test
  void givenSixteenThreads_whenEachCreatesIssuesInOneWorkspace_thenNumbersAreDistinctAndConsecutive()
      throws Exception {
    String owner = workspace();
    String other = workspace();
    issue(other, "another workspace counts on its own");
    int threads = 16;
    int each = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Integer>>> results = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<List<Integer>> work = () -> {
          start.await();
          List<Integer> numbers = new ArrayList<>();
          for (int n = 0; n < each; n++) {
            numbers.add(issue(owner, "t" + thread + "-" + n).number());
          }
          return numbers;
        };
        results.add(pool.submit(work));
      }
      start.countDown();
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> f : results) {
        all.addAll(f.get());
      }
      assertThat(all).hasSize(threads * each).doesNotHaveDuplicates();
      assertThat(all.stream().sorted().toList())
          .isEqualTo(java.util.stream.IntStream.rangeClosed(1, threads * each).boxed().toList());
    } finally {
      pool.shutdownNow();
    }
    assertThat(issue(other, "next of the other").number()).isEqualTo(2);
  }

  @Test
  void givenIssuesOfSeveralKinds_whenFiltered_thenEachFilterNarrowsAndTheyCombine() {
    String owner = workspace();
    jdbi.useHandle(h -> h.execute("insert into engine_projects (id, owner_id, name) values (?, ?, ?)",
        "proj_f_" + owner, owner, "P"));
    String project = "proj_f_" + owner;
    IssueRow parent = issue(owner, "parent", "plan", "backlog", 2, null, null);
    IssueRow a = issue(owner, "a", "signal", "triage", 1, parent.id(), project);
    IssueRow b = issue(owner, "b", "task", "todo", 2, parent.id(), null);
    IssueRow c = issue(owner, "c", "task", "in_progress", 2, null, project);
    String label = labels.insert("lbl_" + UUID.randomUUID(), owner, "bug", "#f00").id();
    labels.attach(a.id(), label);
    labels.attach(c.id(), label);
    issue(workspace(), "foreign", "task", "todo", 2, null, null);

    assertThat(issues.page(owner, none(), 50, 0)).extracting(IssueRow::id)
        .as("newest first").containsExactly(c.id(), b.id(), a.id(), parent.id());
    assertThat(issues.count(owner, none())).isEqualTo(4);
    assertThat(issues.page(owner, new IssueFilter(new String[] {"todo", "triage"}, null, null,
        null, null, null), 50, 0)).extracting(IssueRow::id).containsExactly(b.id(), a.id());
    assertThat(issues.page(owner, new IssueFilter(null, new String[] {"task"}, null, null, null,
        null), 50, 0)).extracting(IssueRow::id).containsExactly(c.id(), b.id());
    assertThat(issues.page(owner, new IssueFilter(null, null, project, null, null, null), 50, 0))
        .extracting(IssueRow::id).containsExactly(c.id(), a.id());
    assertThat(issues.page(owner, new IssueFilter(null, null, null, label, null, null), 50, 0))
        .extracting(IssueRow::id).containsExactly(c.id(), a.id());
    assertThat(issues.page(owner, new IssueFilter(null, null, null, null, 2, null), 50, 0))
        .extracting(IssueRow::id).containsExactly(c.id(), b.id(), parent.id());
    assertThat(issues.page(owner, new IssueFilter(null, null, null, null, null, parent.id()), 50,
        0)).extracting(IssueRow::id).containsExactly(b.id(), a.id());
    IssueFilter combined = new IssueFilter(null, new String[] {"task"}, null, label, 2, null);
    assertThat(issues.page(owner, combined, 50, 0)).extracting(IssueRow::id)
        .containsExactly(c.id());
    assertThat(issues.count(owner, combined)).isEqualTo(1);
    assertThat(issues.page(owner, none(), 2, 1)).extracting(IssueRow::id)
        .containsExactly(b.id(), a.id());

    // A deleted label no longer selects its issues.
    labels.softDelete(owner, label);
    assertThat(issues.count(owner, new IssueFilter(null, null, null, label, null, null))).isZero();
  }

  @Test
  void givenSoftDeletedIssue_thenItIsGoneFromListsAndLiveReadsButStillFoundAsDeleted() {
    String owner = workspace();
    IssueRow parent = issue(owner, "parent");
    IssueRow kept = issue(owner, "kept", "task", "todo", 0, parent.id(), null);
    IssueRow gone = issue(owner, "gone", "task", "todo", 0, parent.id(), null);

    assertThat(issues.softDelete(owner, gone.id())).isOne();
    assertThat(issues.softDelete(owner, gone.id())).as("only once").isZero();
    assertThat(issues.softDelete(workspace(), kept.id())).as("another workspace").isZero();

    assertThat(issues.page(owner, none(), 50, 0)).extracting(IssueRow::id)
        .containsExactly(kept.id(), parent.id());
    assertThat(issues.count(owner, none())).isEqualTo(2);
    assertThat(issues.findLive(owner, gone.id())).isEmpty();
    assertThat(issues.find(owner, gone.id())).hasValueSatisfying(
        r -> assertThat(r.isDeleted()).isTrue());
    assertThat(issues.children(owner, parent.id())).extracting(IssueRow::id)
        .containsExactly(kept.id());
    assertThat(issues.siblings(owner, parent.id(), kept.id())).isEmpty();
    assertThat(issues.hasLiveChildren(parent.id())).isTrue();
    issues.softDelete(owner, kept.id());
    assertThat(issues.hasLiveChildren(parent.id())).isFalse();
  }

  @Test
  void givenBlockedByPairs_whenBlockersResolve_thenTheBlockedRuleAndUnblockedBySeeIt() {
    String owner = workspace();
    IssueRow blocker = issue(owner, "blocker");
    IssueRow other = issue(owner, "other blocker");
    IssueRow blocked = issue(owner, "blocked");
    // The pairs the service writes for "blocker blocks blocked" and "other blocks blocked".
    for (IssueRow b : List.of(blocker, other)) {
      relations.insert("rel_" + UUID.randomUUID(), owner, "blocks", b.id(), blocked.id());
      relations.insert("rel_" + UUID.randomUUID(), owner, "blocked_by", blocked.id(), b.id());
    }
    String isBlocked = "select " + IssueDao.UNRESOLVED_BLOCKER_OF_I
        + " from engine_issues i where i.id = :id";
    java.util.function.Predicate<String> blockedNow = id -> jdbi.withHandle(h ->
        h.createQuery(isBlocked).bind("id", id).mapTo(Boolean.class).one());

    assertThat(blockedNow.test(blocked.id())).isTrue();
    assertThat(blockedNow.test(blocker.id())).isFalse();
    assertThat(issues.unresolvedBlockers(owner, blocked.id())).extracting(IssueRow::id)
        .containsExactly(blocker.id(), other.id());
    assertThat(relations.waitsOn(blocked.id(), blocker.id())).isTrue();
    assertThat(relations.waitsOn(blocker.id(), blocked.id())).isFalse();

    issues.setStatus(blocker.id(), "done");
    assertThat(blockedNow.test(blocked.id())).as("one blocker left").isTrue();
    assertThat(issues.unblockedBy(owner, blocker.id())).isEmpty();

    issues.softDelete(owner, other.id());
    assertThat(blockedNow.test(blocked.id())).as("a deleted blocker blocks nothing").isFalse();
    assertThat(issues.unblockedBy(owner, blocker.id())).extracting(IssueRow::id)
        .containsExactly(blocked.id());
    assertThat(issues.related(owner, blocked.id(), "blocked_by")).extracting(IssueRow::id)
        .containsExactly(blocker.id());
    assertThat(relations.ofIssue(owner, blocked.id())).extracting(r -> r.relatedIssueId())
        .containsExactly(blocker.id());
  }
}
