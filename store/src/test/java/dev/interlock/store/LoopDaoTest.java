package dev.interlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.LoopEventRow;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Loops, turns and the sequence-numbered, announced event log of each loop. */
class LoopDaoTest {

  private static Jdbi jdbi;
  private static LoopDao dao;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(LoopDaoTest.class);
    dao = jdbi.onDemand(LoopDao.class);
  }


  private static LoopRow loop(String id, String owner, String creator) {
    return dao.insert(id, owner, creator, "ann",
        "title " + id, "{\"k\":\"v\"}", List.of("base", "coding"), "default", null);
  }

  @Test
  void givenLoop_whenTurnsAreQueued_thenTheyAreNumberedAndCountedInOrder() {
    LoopRow created = loop("loop_t1", "ws", "u1");
    assertThat(created.profiles()).containsExactly("base", "coding");
    assertThat(created.metadata().get("k").asText()).isEqualTo("v");
    LoopTurnRow first = dao.insertTurn("turn_a", "loop_t1", "hello", null);
    LoopTurnRow second = dao.insertTurn("turn_b", "loop_t1", "again", "plan");
    assertThat(first.number()).isEqualTo(1);
    assertThat(second.number()).isEqualTo(2);
    assertThat(second.status()).isEqualTo("queued");
    assertThat(dao.content("turn_b")).contains("again");
    assertThat(dao.byId("loop_t1").orElseThrow()
        .turnCount()).isEqualTo(2);

    assertThat(dao.markRunning("turn_a", "k1")).isOne();
    assertThat(dao.markRunning("turn_a", "k1")).isZero();
    assertThat(dao.runningTurnOfKey("k1"))
        .map(LoopTurnRow::id).contains("turn_a");
    assertThat(dao.openTurns("loop_t1"))
        .extracting(LoopTurnRow::id).containsExactly("turn_a", "turn_b");
    assertThat(dao.finishTurn("turn_a", "done", null, null)).isOne();
    // The first end stands.
    assertThat(dao.finishTurn("turn_a", "error", "runner_lost", "x")).isZero();
    assertThat(dao.turn("turn_a").orElseThrow()
        .status()).isEqualTo("done");
  }

  @Test
  void givenEvents_whenAppended_thenSequencedPerLoopDedupedAndAnnounced() throws Exception {
    loop("loop_e1", "ws", "u1");
    loop("loop_e2", "ws", "u1");
    dao.insertTurn("turn_e1", "loop_e1", "m", null);
    try (var handle = jdbi.open()) {
      Connection listener = handle.getConnection();
      listener.createStatement().execute("listen " + LoopDao.CHANNEL);
      assertThat(dao.append("loop_e1", "turn_e1",
          "started", "{\"turn_id\":\"turn_e1\"}", "started:turn_e1")).contains(1L);
      assertThat(dao.append("loop_e1", "turn_e1",
          "started", "{\"turn_id\":\"turn_e1\"}", "started:turn_e1")).isEmpty();
      assertThat(dao.append("loop_e1", "turn_e1",
          "assistant_delta", "{\"text\":\"Hel\"}", null)).contains(2L);
      assertThat(dao.append("loop_e2", null,
          "ping", "{}", null)).contains(1L);
      assertThat(dao.append("loop_e1", "turn_e1",
          "assistant_delta", "{\"text\":\"lo\"}", null)).contains(3L);
      listener.createStatement().execute("select 1");
      PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(5000);
      assertThat(got).isNotNull();
      assertThat(List.of(got)).extracting(PGNotification::getParameter)
          .contains("loop_e1", "loop_e2");
    }
    List<LoopEventRow> after1 = dao.eventsAfter("loop_e1", 1, 100);
    assertThat(after1).extracting(LoopEventRow::seq).containsExactly(2L, 3L);
    assertThat(dao.assistantText("turn_e1"))
        .isEqualTo("Hello");
    assertThat(dao.firstSeq("turn_e1")).contains(1L);
  }

  @Test
  void givenConcurrentAppenders_whenTheyRace_thenSequenceNumbersAreGaplessAndUnique()
      throws Exception {
    loop("loop_c1", "ws", "u1");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Long>> seqs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      seqs.add(pool.submit(() -> dao.append("loop_c1", null, "assistant_delta", "{\"text\":\"x\"}", null)
          .orElseThrow()));
    }
    List<Long> got = new ArrayList<>();
    for (Future<Long> f : seqs) {
      got.add(f.get());
    }
    pool.shutdown();
    assertThat(got).doesNotHaveDuplicates().hasSize(200);
    assertThat(got.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(200L);
  }

  @Test
  void givenLoops_whenPaged_thenCursorsWalkMostRecentlyActiveFirst() {
    for (int i = 1; i <= 5; i++) {
      loop("loop_p" + i, "wsp", "u9");
      // Distinct activity times, p5 the newest.
      int n = i;
      jdbi.useHandle(h -> h.execute("update loops set last_active_at = ? where id = ?",
          Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n), "loop_p" + n));
    }
    loop("loop_other", "wsp", "someone-else");
    List<LoopRow> first = dao.page("wsp", "u9", false, null, null, 2);
    assertThat(first).extracting(LoopRow::id).containsExactly("loop_p5", "loop_p4");
    List<LoopRow> next = dao.page("wsp", "u9", false, "loop_p4", null, 10);
    assertThat(next).extracting(LoopRow::id).containsExactly("loop_p3", "loop_p2", "loop_p1");
    List<LoopRow> back = dao.page("wsp", "u9", false, null, "loop_p2", 2);
    assertThat(back).extracting(LoopRow::id).containsExactly("loop_p4", "loop_p3");
    dao.archive("wsp", "loop_p5");
    assertThat(dao.page("wsp", "u9", false, null, null, 10))
        .extracting(LoopRow::id).doesNotContain("loop_p5");
    assertThat(dao.page("wsp", "u9", true, null, null, 10))
        .extracting(LoopRow::id).contains("loop_p5");
  }

  @Test
  void givenIdempotencyKey_whenRecordedTwice_thenTheLiveOneHoldsAndAnOldOneIsReplaced() {
    loop("loop_i1", "ws", "u1");
    dao.insertTurn("turn_i1", "loop_i1", "m", null);
    dao.insertTurn("turn_i2", "loop_i1", "m", null);
    Instant dayAgo = Instant.now().minusSeconds(86_400);
    assertThat(dao.recordIdempotency("c", "k", "h1", "loop_i1", "turn_i1", dayAgo)).isOne();
    assertThat(dao.recordIdempotency("c", "k", "h2", "loop_i1", "turn_i2", dayAgo)).isZero();
    assertThat(dao.idempotency("c", "k", dayAgo)
        .orElseThrow().turnId()).isEqualTo("turn_i1");
    jdbi.useHandle(h -> h.execute("update loop_idempotency set created_at = now() - interval '25 hours'"));
    assertThat(dao.idempotency("c", "k", dayAgo)).isEmpty();
    assertThat(dao.recordIdempotency("c", "k", "h2", "loop_i1", "turn_i2", dayAgo)).isOne();
  }
}
