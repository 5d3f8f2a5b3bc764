package dev.interlock.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.store.InterruptDao;
import dev.interlock.store.InterruptSql;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.store.NewInterrupt;
import dev.interlock.store.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Builds interrupt rows through the store's own DAO and reads back what the activities wrote. */
final class Interrupts {

  static final Instant CREATED_AT = Instant.parse("2026-03-01T11:50:00Z");
  static final ObjectMapper JSON = TestDatabase.mapper();

  private final Jdbi jdbi;

  Interrupts(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** A pending interrupt; its callback is owed ('pending') iff a URL is given. */
  String pending(String ownerId, String callbackUrl) {
    String id = UUID.randomUUID().toString();
    var row = new NewInterrupt(id, ownerId, "loopin", "agent-1", "user-1", "Send payment", "high",
        CREATED_AT, CREATED_AT.plus(Duration.ofHours(1)), callbackUrl, null, null, null, List.of(),
        1);
    boolean inserted = jdbi.withHandle(h -> InterruptSql.insertCreated(h, row,
        json("{\"amount\":4200,\"vendor\":\"Acme\"}"), null, null, "key:test", null)).isPresent();
    if (!inserted) {
      throw new IllegalStateException("fixture row was not inserted");
    }
    return id;
  }

  /** A pending interrupt (no callback) that needs {@code required} approvals. */
  String pendingQuorum(String ownerId, int required, List<String> reviewers) {
    String id = UUID.randomUUID().toString();
    var row = new NewInterrupt(id, ownerId, "agentgate", "agent-1", null, "Pay invoice", "high",
        CREATED_AT, CREATED_AT.plus(Duration.ofHours(1)), null, null, null, null, reviewers,
        required);
    jdbi.useHandle(h -> InterruptSql.insertCreated(h, row, json("{}"), json("{\"amount\":4200}"),
        null, "ops key", null).orElseThrow());
    return id;
  }

  /** Decides an interrupt directly in the store, as a recorded transition would have. */
  void approve(String id, String reason, JsonNode modifiedParams, String actor, Instant at) {
    decide(id, "approved", reason, modifiedParams, actor, at);
  }

  void reject(String id, String actor, Instant at) {
    decide(id, "rejected", null, null, actor, at);
  }

  /** Sets the decision columns only (no audit event, no notification): a bare fixture. */
  private void decide(String id, String status, String reason, JsonNode modifiedParams,
      String actor, Instant at) {
    int changed = jdbi.withHandle(h -> h.createUpdate(
            """
            update interrupts set status = :status, decision = :status, reason = :reason,
                   modified_params = cast(:params as jsonb), decided_by = :actor, decided_at = :at
             where id = :id::uuid and status = 'pending'
            """)
        .bind("id", id).bind("status", status).bind("reason", reason)
        .bind("params", modifiedParams == null ? null : modifiedParams.toString())
        .bind("actor", actor).bind("at", at)
        .execute());
    if (changed != 1) {
      throw new IllegalStateException("fixture interrupt " + id + " was not pending");
    }
  }

  void setCallbackState(String id, String state) {
    jdbi.useHandle(h -> InterruptSql.setCallbackState(h, id, state));
  }

  InterruptRow row(String id) {
    return jdbi.withHandle(h -> InterruptSql.find(h, id)).orElseThrow();
  }

  /**
   * The audit events written after the fixture's own "created" event (which
   * {@link #pending} writes as a real create does), oldest first.
   */
  List<InterruptEventRow> events(String id) {
    List<InterruptEventRow> all = jdbi.withExtension(InterruptDao.class, dao -> dao.events(id));
    if (all.isEmpty()) {
      return all; // not a fixture interrupt: nothing was ever written for this id
    }
    if (!all.get(0).event().equals("created")) {
      throw new IllegalStateException("fixture interrupt " + id + " has no created event first");
    }
    return all.subList(1, all.size());
  }

  List<InterruptEventRow> events(String id, String event) {
    return events(id).stream().filter(e -> e.event().equals(event)).toList();
  }
}
