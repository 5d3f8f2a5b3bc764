package dev.interlock.store;

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
        "high", now, now.plusSeconds(600), null, key, null, null);
  }

  private static JsonNode obj(String text) {
    try {
      return json.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void givenNewInterrupt_whenInserted_thenReadBackWithJsonAndTimes() {
    var n = interrupt("owner-a", "user-1", "Send payment", null);
    int inserted = jdbi.withExtension(InterruptDao.class,
        d -> d.insert(n, obj("{\"amount\":4200,\"vendor\":\"Acme\"}"), null, null));

    InterruptRow row = jdbi.withExtension(InterruptDao.class, d -> d.find(n.id())).orElseThrow();
    assertThat(inserted).isEqualTo(1);
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.context().get("amount").asInt()).isEqualTo(4200);
    assertThat(row.createdAt()).isEqualTo(n.createdAt());
    assertThat(row.expiresAt()).isEqualTo(n.expiresAt());
    assertThat(row.callbackState()).isEqualTo("none");
    Optional<InterruptRow> foreign =
        jdbi.withExtension(InterruptDao.class, d -> d.findOwned(n.id(), "owner-b"));
    assertThat(foreign).isEmpty();
  }

  @Test
  void givenSameIdempotencyKey_whenInsertedTwice_thenSecondIsIgnored() {
    var first = interrupt("owner-idem", "u", "a", "key-1");
    var second = interrupt("owner-idem", "u", "a", "key-1");
    var otherOwner = interrupt("owner-other", "u", "a", "key-1");
    jdbi.useExtension(InterruptDao.class, d -> {
      assertThat(d.insert(first, obj("{}"), null, null)).isEqualTo(1);
      assertThat(d.insert(second, obj("{}"), null, null)).isZero();
      assertThat(d.insert(otherOwner, obj("{}"), null, null)).isEqualTo(1);
      assertThat(d.findByIdempotencyKey("owner-idem", "key-1").orElseThrow().id())
          .isEqualTo(first.id());
    });
  }

  @Test
  void givenPending_whenTwoTransitionsApplied_thenOnlyFirstWins() {
    var n = interrupt("owner-t", "u", "a", null);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    jdbi.useExtension(InterruptDao.class, d -> {
      d.insert(n, obj("{}"), null, null);
      assertThat(d.applyTransition(n.id(), "approved", "approved", "ok", obj("{\"amount\":1}"),
          "key:1", at, null, null)).isEqualTo(1);
      assertThat(d.applyTransition(n.id(), "expired", null, null, null, "system:expiry", at, null, null))
          .isZero();
      InterruptRow row = d.find(n.id()).orElseThrow();
      assertThat(row.status()).isEqualTo("approved");
      assertThat(row.modifiedParams().get("amount").asInt()).isEqualTo(1);
      assertThat(row.decidedAt()).isEqualTo(at);
    });
  }

  @Test
  void givenEvents_whenUpdatedOrDeleted_thenRefused() {
    var n = interrupt("owner-e", "u", "a", null);
    jdbi.useExtension(InterruptDao.class, d -> {
      d.insert(n, obj("{}"), null, null);
      d.insertEvent(n.id(), "created", "key:1", obj("{\"x\":1}"));
      d.insertEvent(n.id(), "approved", "key:1", null);
      List<InterruptEventRow> events = d.events(n.id());
      assertThat(events).extracting(InterruptEventRow::event).containsExactly("created", "approved");
      assertThat(events.get(1).details().isEmpty()).isTrue();
    });
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("delete from interrupt_events")))
        .hasMessageContaining("append-only");
  }

  @Test
  void givenMixedInterrupts_whenAnalysed_thenCountsAndAveragesAreRight() {
    String owner = "owner-analytics";
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    jdbi.useExtension(InterruptDao.class, d -> {
      for (int i = 0; i < 3; i++) {
        var n = new NewInterrupt(UUID.randomUUID().toString(), owner, "loopin", "ag", "u1",
            i < 2 ? "Send payment" : "Delete records", i == 0 ? "low" : "high", t0,
            t0.plusSeconds(3600), null, null, null, null);
        d.insert(n, obj("{}"), null, null);
        if (i < 2) {
          d.applyTransition(n.id(), i == 0 ? "approved" : "rejected", i == 0 ? "approved" : "rejected",
              null, null, "k", t0.plusSeconds(i == 0 ? 10 : 30), null, null);
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
        "low", pending.createdAt().plusMillis(1), pending.expiresAt(), "http://localhost/cb", null, null, null);
    jdbi.useExtension(InterruptDao.class, d -> {
      d.insert(pending, obj("{}"), null, null);
      d.insert(owed, obj("{}"), null, null);
      d.applyTransition(owed.id(), "cancelled", null, null, null, "k", Instant.now(), null, null);
      List<String> ids = d.recoverable(Instant.EPOCH, new UUID(0, 0).toString(), 1000).stream()
          .map(InterruptRow::id).toList();
      assertThat(ids).contains(pending.id(), owed.id());
      d.setCallbackState(owed.id(), "delivered");
      assertThat(d.recoverable(Instant.EPOCH, new UUID(0, 0).toString(), 1000))
          .extracting(InterruptRow::id).doesNotContain(owed.id());
    });
  }

  @Test
  void givenNewInterrupt_whenInsertedWithItsEvent_thenRowReturnedAndEventWrittenOnce() {
    var n = interrupt("owner-cte", "u", "a", "cte-key");
    jdbi.useExtension(InterruptDao.class, d -> {
      InterruptRow row = d.insertCreated(n, obj("{\"x\":1}"), null, null, "key:k", obj("{\"source\":\"loopin\"}"))
          .orElseThrow();
      assertThat(row.id()).isEqualTo(n.id());
      assertThat(row.context().get("x").asInt()).isEqualTo(1);
      assertThat(d.events(n.id())).extracting(InterruptEventRow::event).containsExactly("created");
      // The same idempotency key: nothing written, nothing returned.
      var again = interrupt("owner-cte", "u", "a", "cte-key");
      assertThat(d.insertCreated(again, obj("{}"), null, null, "key:k", null)).isEmpty();
      assertThat(d.find(again.id())).isEmpty();
      assertThat(d.events(n.id())).hasSize(1);
    });
  }
}
