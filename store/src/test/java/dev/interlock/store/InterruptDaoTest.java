package dev.interlock.store;

import dev.interlock.model.Approval;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.CountRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InterruptDaoTest {

  private static Jdbi jdbi;
  private static final ObjectMapper json = TestDatabase.mapper();

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(InterruptDaoTest.class);
  }

  private static NewInterrupt interrupt(String owner, String user, String action, String key) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new NewInterrupt(UUID.randomUUID().toString(), owner, "loopin", "agent-1", user, action,
        "high", now, now.plusSeconds(600), null, key, null, null, List.of(), 1);
  }

  private static JsonNode obj(String text) {
    try {
      return json.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean insert(org.jdbi.v3.core.Handle h, NewInterrupt n, JsonNode context) {
    return InterruptSql.insertCreated(h, n, context, null, null, "key:test", null).isPresent();
  }

  @Test
  void givenEveryColumnSet_whenRead_thenTheHandWrittenMapperAgreesWithTheConstructorMapper() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    var n = new NewInterrupt(UUID.randomUUID().toString(), "owner-all", "loopgate", "agent-9",
        "user-9", "Pick one", "critical", now, now.plusSeconds(60), "https://example.com/cb",
        "all-key", "choice", "session-9", List.of("finance", "alice"), 2);
    InterruptRow fast = jdbi.inTransaction(h -> {
      InterruptSql.insertCreated(h, n, obj("{\"q\":\"which?\"}"), obj("[1,2]"),
          obj("[\"a\",\"b\"]"), "key:k", null).orElseThrow();
      InterruptSql.insertApproval(h, n.id(), "user:0", "zoe", now, "first");
      InterruptSql.insertApproval(h, n.id(), "user:1", "ann", now.plusSeconds(1), "second");
      InterruptSql.project(h, n.id(), "approved", "approved", "fine", obj("null"),
          "ann", "user:1", now.plusSeconds(1), "cmd", "a", null);
      h.attach(InterruptDao.class).confirm(n.id(), obj("{\"done\":true}"));
      return InterruptSql.find(h, n.id()).orElseThrow();
    });
    // The SqlObject constructor mapper is the reference for what each column means.
    InterruptRow reference = jdbi.withHandle(h -> h.createQuery(
            "select " + InterruptDao.COLUMNS + " from interrupts where id = :id::uuid")
        .bind("id", n.id())
        .registerRowMapper(org.jdbi.v3.core.mapper.reflect.ConstructorMapper.factory(
            InterruptRow.class))
        .mapTo(InterruptRow.class)
        .one());
    assertThat(fast).usingRecursiveComparison().isEqualTo(reference);
    assertThat(fast.callbackState()).isEqualTo("pending");
    assertThat(fast.options().get(1).asText()).isEqualTo("b");
    assertThat(fast.confirmResult().get("done").asBoolean()).isTrue();
    assertThat(fast.confirmedAt()).isNotNull();
    assertThat(fast.decidedBy()).isEqualTo("ann");
    assertThat(fast.decidedById()).isEqualTo("user:1");
    assertThat(fast.reviewers()).containsExactly("finance", "alice");
    assertThat(fast.requiredApprovals()).isEqualTo(2);
    assertThat(fast.approvals()).containsExactly(new Approval("user:0", "zoe", now),
        new Approval("user:1", "ann", now.plusSeconds(1)));
  }

  @Test
  void givenNewInterrupt_whenInserted_thenReadBackWithJsonAndTimes() {
    var n = interrupt("owner-a", "user-1", "Send payment", null);
    boolean inserted = jdbi.withHandle(
        h -> insert(h, n, obj("{\"amount\":4200,\"vendor\":\"Acme\"}")));

    InterruptRow row = jdbi.withHandle(h -> InterruptSql.find(h, n.id())).orElseThrow();
    assertThat(inserted).isTrue();
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.context().get("amount").asInt()).isEqualTo(4200);
    assertThat(row.createdAt()).isEqualTo(n.createdAt());
    assertThat(row.expiresAt()).isEqualTo(n.expiresAt());
    assertThat(row.callbackState()).isEqualTo("none");
    Optional<InterruptRow> foreign =
        jdbi.withHandle(h -> InterruptSql.findOwned(h, n.id(), "owner-b"));
    assertThat(foreign).isEmpty();
  }

  @Test
  void givenSameIdempotencyKey_whenInsertedTwice_thenSecondIsIgnored() {
    var first = interrupt("owner-idem", "u", "a", "key-1");
    var second = interrupt("owner-idem", "u", "a", "key-1");
    var otherOwner = interrupt("owner-other", "u", "a", "key-1");
    jdbi.useHandle(h -> {
      assertThat(insert(h, first, obj("{}"))).isTrue();
      assertThat(insert(h, second, obj("{}"))).isFalse();
      assertThat(insert(h, otherOwner, obj("{}"))).isTrue();
      assertThat(InterruptSql.findByIdempotencyKey(h, "owner-idem", "key-1").orElseThrow().id())
          .isEqualTo(first.id());
    });
  }

  @Test
  void givenPending_whenTwoTransitionsProjected_thenOnlyFirstWinsWithOneEvent() {
    var n = interrupt("owner-t", "u", "a", null);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      assertThat(InterruptSql.project(h, n.id(), "approved", "approved", "ok",
          obj("{\"amount\":1}"), "key one", "key:1", at, "cmd-1", "yes",
          obj("{\"reason\":\"ok\"}")))
          .isPresent();
      assertThat(InterruptSql.project(h, n.id(), "expired", null, null, null,
          "system:expiry", "system:expiry", at, null, null, null)).isEmpty();
      assertThat(h.attach(InterruptDao.class).events(n.id())).extracting(InterruptEventRow::event)
          .as("one event for the one transition that applied")
          .containsExactly("created", "approved");
      InterruptRow row = InterruptSql.find(h, n.id()).orElseThrow();
      assertThat(row.decision()).isEqualTo("approved");
      assertThat(row.reason()).isEqualTo("ok");
      assertThat(row.decidedBy()).isEqualTo("key one");
      assertThat(row.decidedById()).isEqualTo("key:1");
      assertThat(row.commandId()).isEqualTo("cmd-1");
      assertThat(row.response()).isEqualTo("yes");
      assertThat(row.status()).isEqualTo("approved");
      assertThat(row.modifiedParams().get("amount").asInt()).isEqualTo(1);
      assertThat(row.decidedAt()).isEqualTo(at);
    });
  }

  @Test
  void givenEvents_whenUpdatedOrDeleted_thenRefused() {
    var n = interrupt("owner-e", "u", "a", null);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      InterruptSql.insertEvent(h, n.id(), "approved", "key:1", obj("{\"x\":1}"));
      InterruptSql.insertEvent(h, n.id(), "callback.attempt", "system:callback", null);
      List<InterruptEventRow> events = h.attach(InterruptDao.class).events(n.id());
      assertThat(events).extracting(InterruptEventRow::event)
          .containsExactly("created", "approved", "callback.attempt");
      assertThat(events.get(1).details().get("x").asInt()).isEqualTo(1);
      assertThat(events.get(2).details().isEmpty()).isTrue();
    });
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("delete from interrupt_events")))
        .hasMessageContaining("append-only");
  }

  @Test
  void givenMixedInterrupts_whenAnalysed_thenCountsAndAveragesAreRight() {
    String owner = "owner-analytics";
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    jdbi.useHandle(h -> {
      InterruptDao d = h.attach(InterruptDao.class);
      for (int i = 0; i < 3; i++) {
        var n = new NewInterrupt(UUID.randomUUID().toString(), owner, "loopin", "ag", "u1",
            i < 2 ? "Send payment" : "Delete records", i == 0 ? "low" : "high", t0,
            t0.plusSeconds(3600), null, null, null, null, List.of(), 1);
        insert(h, n, obj("{}"));
        if (i < 2) {
          InterruptSql.project(h, n.id(), i == 0 ? "approved" : "rejected", i == 0 ? "approved" : "rejected",
              null, null, "k", "key:k", t0.plusSeconds(i == 0 ? 10 : 30), null, null, null);
        }
      }
      assertThat(d.countByStatus(owner, "u1"))
          .containsExactlyInAnyOrder(new CountRow("approved", 1), new CountRow("rejected", 1),
              new CountRow("pending", 1));
      assertThat(d.topActions(owner, "u1", 5))
          .containsExactly(new CountRow("Send payment", 2), new CountRow("Delete records", 1));
      assertThat(d.avgDecisionMillis(owner, "u1")).isEqualTo(20_000.0);
      assertThat(d.avgDecisionMillis(owner, "nobody")).isNull();
    });
  }

  @Test
  void givenPendingAndCallbackOwed_whenRecoverableListed_thenBothAppearInOrder() {
    var pending = interrupt("owner-r", "u", "a", null);
    var owed = new NewInterrupt(UUID.randomUUID().toString(), "owner-r", "loopin", "ag", "u", "a",
        "low", pending.createdAt().plusMillis(1), pending.expiresAt(), "http://localhost/cb", null, null, null,
        List.of(), 1);
    jdbi.useHandle(h -> {
      InterruptDao d = h.attach(InterruptDao.class);
      insert(h, pending, obj("{}"));
      insert(h, owed, obj("{}"));
      InterruptSql.project(h, owed.id(), "cancelled", null, null, null, "k", "key:k",
          Instant.now(), null, null, null);
      List<String> ids = d.recoverable(Instant.EPOCH, new UUID(0, 0).toString(), 1000).stream()
          .map(InterruptRow::id).toList();
      assertThat(ids).contains(pending.id(), owed.id());
      InterruptSql.setCallbackState(h, owed.id(), "delivered");
      assertThat(d.recoverable(Instant.EPOCH, new UUID(0, 0).toString(), 1000))
          .extracting(InterruptRow::id).doesNotContain(owed.id());
    });
  }

  @Test
  void givenNewInterrupt_whenInsertedWithItsEvent_thenRowReturnedAndEventWrittenOnce() {
    var n = interrupt("owner-cte", "u", "a", "cte-key");
    jdbi.useHandle(h -> {
      InterruptDao d = h.attach(InterruptDao.class);
      InterruptRow row = InterruptSql.insertCreated(h, n, obj("{\"x\":1}"), null, null, "key:k",
          obj("{\"source\":\"loopin\"}")).orElseThrow();
      assertThat(row.id()).isEqualTo(n.id());
      assertThat(row.context().get("x").asInt()).isEqualTo(1);
      assertThat(d.events(n.id())).extracting(InterruptEventRow::event).containsExactly("created");
      // The same idempotency key: nothing written, nothing returned.
      var again = interrupt("owner-cte", "u", "a", "cte-key");
      assertThat(InterruptSql.insertCreated(h, again, obj("{}"), null, null, "key:k", null))
          .isEmpty();
      assertThat(InterruptSql.find(h, again.id())).isEmpty();
      assertThat(d.events(n.id())).hasSize(1);
    });
  }

  private static NewInterrupt quorum(String owner, int required) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new NewInterrupt(UUID.randomUUID().toString(), owner, "agentgate", "agent-1", null,
        "Pay invoice", "high", now, now.plusSeconds(600), null, null, null, null,
        List.of("finance"), required);
  }

  @Test
  void givenQuorumInterrupt_whenApprovalsRecorded_thenEachApproverOnceAndEveryReadCarriesThem() {
    var n = quorum("owner-q", 3);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      assertThat(InterruptSql.insertApproval(h, n.id(), "user:a", "alice", at, "ok"))
          .isEqualTo(new InterruptSql.ApprovalWrite(true, true));
      assertThat(InterruptSql.insertApproval(h, n.id(), "user:a", "alice again", at, "ok"))
          .as("a retry of the same approval").isEqualTo(new InterruptSql.ApprovalWrite(true, false));
      assertThat(InterruptSql.insertApproval(h, n.id(), "user:b", "bob", at.plusSeconds(1), null))
          .isEqualTo(new InterruptSql.ApprovalWrite(true, true));
    });
    List<Approval> expected = List.of(new Approval("user:a", "alice", at),
        new Approval("user:b", "bob", at.plusSeconds(1)));
    assertThat(jdbi.withHandle(h -> InterruptSql.find(h, n.id())).orElseThrow().approvals())
        .isEqualTo(expected);
    // The SqlObject reads (lists, recovery) map the same columns with the constructor mapper.
    InterruptRow listed = jdbi.withExtension(InterruptDao.class,
        d -> d.pendingForOwner("owner-q", 10)).get(0);
    assertThat(listed.approvals()).isEqualTo(expected);
    assertThat(listed.reviewers()).containsExactly("finance");
    assertThat(listed.requiredApprovals()).isEqualTo(3);
  }

  @Test
  void givenSettledInterrupt_whenAnApprovalArrives_thenNothingIsRecorded() {
    var n = quorum("owner-q2", 2);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      InterruptSql.project(h, n.id(), "rejected", "rejected", null, null, "bob", "user:b",
          Instant.now(), null, null, null);
      assertThat(InterruptSql.insertApproval(h, n.id(), "user:a", "alice", Instant.now(), null))
          .isEqualTo(new InterruptSql.ApprovalWrite(false, false));
      assertThat(InterruptSql.find(h, n.id()).orElseThrow().approvals()).isEmpty();
    });
  }

  @Test
  void givenOneApprovalRequired_whenRead_thenNoApprovalsAreAggregated() {
    var n = interrupt("owner-one", "u", "a", null);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      // Not written for such an interrupt; if one were, reads would still not look.
      InterruptSql.insertApproval(h, n.id(), "user:a", "alice", Instant.now(), null);
      InterruptRow row = InterruptSql.find(h, n.id()).orElseThrow();
      assertThat(row.requiredApprovals()).isEqualTo(1);
      assertThat(row.reviewers()).isEmpty();
      assertThat(row.approvals()).isEmpty();
    });
  }

  @Test
  void givenPendingInterrupt_whenRouted_thenReviewersAreAddedOnceAndTheCountOnlyRises() {
    var n = quorum("owner-route", 2);
    jdbi.useHandle(h -> {
      insert(h, n, obj("{}"));
      assertThat(InterruptSql.route(h, n.id(), List.of("alice", "finance", "bob"), 3)).isOne();
      InterruptRow routed = InterruptSql.find(h, n.id()).orElseThrow();
      assertThat(routed.reviewers()).containsExactly("finance", "alice", "bob");
      assertThat(routed.requiredApprovals()).isEqualTo(3);

      InterruptSql.route(h, n.id(), List.of(), 1);
      InterruptSql.route(h, n.id(), null, null);
      InterruptRow again = InterruptSql.find(h, n.id()).orElseThrow();
      assertThat(again.reviewers()).containsExactly("finance", "alice", "bob");
      assertThat(again.requiredApprovals()).isEqualTo(3);
    });
  }
}
