package dev.interlock.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.store.InterruptDao;
import dev.interlock.store.InterruptEventRow;
import dev.interlock.store.InterruptRow;
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
        CREATED_AT, CREATED_AT.plus(Duration.ofHours(1)), callbackUrl, null, null, null);
    int inserted = jdbi.withExtension(InterruptDao.class,
        dao -> dao.insert(row, json("{\"amount\":4200,\"vendor\":\"Acme\"}"), null, null));
    if (inserted != 1) {
      throw new IllegalStateException("fixture row was not inserted");
    }
    return id;
  }

  /** Decides an interrupt directly in the store, as a recorded transition would have. */
  void approve(String id, String reason, JsonNode modifiedParams, String actor, Instant at) {
    jdbi.useExtension(InterruptDao.class,
        dao -> dao.applyTransition(id, "approved", "approved", reason, modifiedParams, actor, at, null, null));
  }

  void reject(String id, String actor, Instant at) {
    jdbi.useExtension(InterruptDao.class,
        dao -> dao.applyTransition(id, "rejected", "rejected", null, null, actor, at, null, null));
  }

  void setCallbackState(String id, String state) {
    jdbi.useExtension(InterruptDao.class, dao -> dao.setCallbackState(id, state));
  }

  InterruptRow row(String id) {
    return jdbi.withExtension(InterruptDao.class, dao -> dao.find(id)).orElseThrow();
  }

  List<InterruptEventRow> events(String id) {
    return jdbi.withExtension(InterruptDao.class, dao -> dao.events(id));
  }

  List<InterruptEventRow> events(String id, String event) {
    return events(id).stream().filter(e -> e.event().equals(event)).toList();
  }
}
