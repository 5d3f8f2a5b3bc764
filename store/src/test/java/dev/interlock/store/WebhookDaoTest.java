package dev.interlock.store;

import dev.interlock.model.WebhookAttemptRow;
import dev.interlock.model.WebhookDeliveryRow;
import dev.interlock.model.WebhookRow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookDaoTest {

  private static Jdbi jdbi;
  private static final ObjectMapper json = TestDatabase.mapper();

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(WebhookDaoTest.class);
  }

  private static void insert(String id, String owner) {
    jdbi.useExtension(WebhookDao.class, dao -> dao.insert(id, owner, "https://example.com/" + id,
        new String[] {"request.created"}, "s".repeat(32)));
  }

  /** A pending delivery of {@code webhookId} (owned by its owner) for an interrupt's event. */
  private static void delivery(Jdbi db, String id, String webhookId, String interruptId) {
    db.useExtension(WebhookDao.class, dao -> dao.insertDelivery(id, webhookId, "owner-" + webhookId,
        "request.created", interruptId, payload(id), null));
  }

  private static ObjectNode payload(String deliveryId) {
    return json.createObjectNode().put("delivery", deliveryId);
  }

  private static WebhookDeliveryRow findDelivery(String id) {
    return jdbi.withExtension(WebhookDao.class, dao -> dao.findDelivery(id)).orElseThrow();
  }

  @Test
  void givenDisabledAndDeletedWebhooks_whenSelectedForDeliveries_thenOnlyEnabledOnesReceive() {
    insert("wh_on", "owner-sel");
    insert("wh_off", "owner-sel");
    insert("wh_gone", "owner-sel");
    insert("wh_other", "owner-other");
    jdbi.useExtension(WebhookDao.class, dao -> {
      assertThat(dao.update("wh_off", "owner-sel", null, null, false)).isEqualTo(1);
      assertThat(dao.deactivate("wh_gone", "owner-sel")).isEqualTo(1);
    });

    List<WebhookRow> receiving = jdbi.withHandle(h -> WebhookSql.listReceiving(h, "owner-sel"));
    assertThat(receiving).extracting(WebhookRow::id).containsExactly("wh_on");
    List<WebhookRow> listed = jdbi.withHandle(h -> WebhookSql.list(h, "owner-sel"));
    assertThat(listed).extracting(WebhookRow::id).containsExactly("wh_on", "wh_off");
    WebhookRow off = listed.get(1);
    assertThat(off.enabled()).isFalse();
    assertThat(off.wants("request.created")).isFalse();
    assertThat(listed.get(0).wants("request.created")).isTrue();
  }

  @Test
  void givenAnUpdate_whenFieldsAreNull_thenTheyKeepTheirValueAndOtherOwnersCannotUpdate() {
    insert("wh_upd", "owner-upd");
    jdbi.useExtension(WebhookDao.class, dao -> {
      assertThat(dao.update("wh_upd", "owner-else", "https://evil.example/x", null, false)).isZero();
      assertThat(dao.update("wh_upd", "owner-upd", null, new String[] {"*"}, null)).isEqualTo(1);
      WebhookRow row = dao.find("wh_upd").orElseThrow();
      assertThat(row.url()).isEqualTo("https://example.com/wh_upd");
      assertThat(row.events()).containsExactly("*");
      assertThat(row.enabled()).isTrue();
      assertThat(dao.update("wh_upd", "owner-upd", "https://example.com/moved", null, null)).isEqualTo(1);
      assertThat(dao.find("wh_upd").orElseThrow().url()).isEqualTo("https://example.com/moved");
      assertThat(dao.find("wh_upd").orElseThrow().events()).containsExactly("*");
    });
  }

  @Test
  void givenPendingDeliveries_whenGivenUp_thenFailedWithTheReasonAndDeliveredOnesUntouched() {
    insert("wh_owed", "owner-owed");
    jdbi.useExtension(WebhookDao.class, dao -> {
      dao.insertDelivery("dlv_a", "wh_owed", "owner-owed", "request.created", null,
          json.createObjectNode(), null);
      dao.insertDelivery("dlv_b", "wh_owed", "owner-owed", "request.created", null,
          json.createObjectNode(), null);
      dao.recordAttempt("dlv_b", 200, null, true);
      assertThat(dao.failPending("wh_owed", "webhook disabled")).isEqualTo(1);
      assertThat(dao.findDelivery("dlv_a").orElseThrow().state()).isEqualTo("failed");
      assertThat(dao.findDelivery("dlv_a").orElseThrow().lastError()).isEqualTo("webhook disabled");
      assertThat(dao.findDelivery("dlv_b").orElseThrow().state()).isEqualTo("delivered");
    });
  }

  @Test
  void givenWebhook_whenFoundByIdAndOwner_thenOnlyItsOwnerFindsItAndOnlyUntilDeleted() {
    insert("wh_find", "owner-find");
    jdbi.useExtension(WebhookDao.class, dao -> {
      WebhookRow row = dao.findActive("wh_find", "owner-find").orElseThrow();
      assertThat(row.ownerId()).isEqualTo("owner-find");
      assertThat(row.url()).isEqualTo("https://example.com/wh_find");
      assertThat(row.events()).containsExactly("request.created");
      assertThat(row.secret()).isEqualTo("s".repeat(32));
      assertThat(row.active()).isTrue();
      assertThat(row.enabled()).isTrue();
      assertThat(row.createdAt()).isNotNull();
      assertThat(dao.findActive("wh_find", "owner-else")).isEmpty();

      assertThat(dao.deactivate("wh_find", "owner-else")).isZero();
      assertThat(dao.deactivate("wh_find", "owner-find")).isEqualTo(1);
      assertThat(dao.deactivate("wh_find", "owner-find")).as("already deleted").isZero();
      assertThat(dao.findActive("wh_find", "owner-find")).isEmpty();
      assertThat(dao.update("wh_find", "owner-find", "https://example.com/new", null, null))
          .as("a deleted webhook cannot be changed").isZero();
      // Deleted, not gone: its delivery log stays readable through the row.
      WebhookRow deleted = dao.find("wh_find").orElseThrow();
      assertThat(deleted.active()).isFalse();
      assertThat(deleted.url()).isEqualTo("https://example.com/wh_find");
    });
  }

  @Test
  void givenWebhooks_whenListedByTheHandWrittenMapper_thenRowsEqualTheConstructorMappersRows() {
    insert("wh_map", "owner-map");
    jdbi.useExtension(WebhookDao.class, dao -> dao.update("wh_map", "owner-map", null,
        new String[] {"request.created", "request.approved"}, false));

    List<WebhookRow> listed = jdbi.withHandle(h -> WebhookSql.list(h, "owner-map"));

    assertThat(listed).containsExactly(
        jdbi.withExtension(WebhookDao.class, dao -> dao.find("wh_map")).orElseThrow());
    assertThat(listed.get(0).events()).containsExactly("request.created", "request.approved");
  }

  @Test
  void givenNewDelivery_whenReadBack_thenEveryColumnAsInsertedAndPending() {
    insert("wh_new", "owner-wh_new");
    String interruptId = UUID.randomUUID().toString();
    jdbi.useExtension(WebhookDao.class, dao -> dao.insertDelivery("dlv_new", "wh_new",
        "owner-wh_new", "request.approved", interruptId, payload("dlv_new"), "dlv_old"));

    WebhookDeliveryRow row = findDelivery("dlv_new");

    assertThat(row.webhookId()).isEqualTo("wh_new");
    assertThat(row.ownerId()).isEqualTo("owner-wh_new");
    assertThat(row.event()).isEqualTo("request.approved");
    assertThat(row.interruptId()).isEqualTo(interruptId);
    assertThat(row.payload()).isEqualTo(payload("dlv_new"));
    assertThat(row.replayOf()).isEqualTo("dlv_old");
    assertThat(row.state()).isEqualTo("pending");
    assertThat(row.attempts()).isZero();
    assertThat(row.lastStatus()).isNull();
    assertThat(row.lastError()).isNull();
    assertThat(row.createdAt()).isNotNull();
    assertThat(row.deliveredAt()).isNull();
    Optional<WebhookDeliveryRow> none =
        jdbi.withExtension(WebhookDao.class, dao -> dao.findDelivery("dlv_none"));
    assertThat(none).isEmpty();
  }

  @Test
  void givenDeliveries_whenListedForAWebhook_thenNewestFirstUpToTheLimitAndOnlyThatWebhooks() {
    insert("wh_log", "owner-wh_log");
    insert("wh_log_other", "owner-wh_log_other");
    delivery(jdbi, "dlv_log_1", "wh_log", null);
    delivery(jdbi, "dlv_log_2", "wh_log", null);
    delivery(jdbi, "dlv_log_3", "wh_log", null);
    delivery(jdbi, "dlv_log_other", "wh_log_other", null);

    List<WebhookDeliveryRow> all = jdbi.withExtension(WebhookDao.class,
        dao -> dao.deliveries("wh_log", 10));
    List<WebhookDeliveryRow> two = jdbi.withExtension(WebhookDao.class,
        dao -> dao.deliveries("wh_log", 2));

    assertThat(all).extracting(WebhookDeliveryRow::id)
        .containsExactly("dlv_log_3", "dlv_log_2", "dlv_log_1");
    assertThat(two).extracting(WebhookDeliveryRow::id).containsExactly("dlv_log_3", "dlv_log_2");
  }

  @Test
  void givenDeliveriesInEveryState_whenThePendingAreListedAndCounted_thenOnlyPendingOldestFirst() {
    // The outbox is read across owners, so this test has a schema of its own to count in.
    Jdbi own = TestDatabase.freshSchema(WebhookDaoTest.class);
    own.useExtension(WebhookDao.class, dao -> dao.insert("wh_q", "owner-wh_q",
        "https://example.com/q", new String[] {"*"}, "s".repeat(32)));
    for (String id : List.of("dlv_q_1", "dlv_q_2", "dlv_q_3", "dlv_q_4")) {
      delivery(own, id, "wh_q", null);
    }
    own.useExtension(WebhookDao.class, dao -> {
      dao.recordAttempt("dlv_q_2", 200, null, true);
      dao.markFailed("dlv_q_4", "given up");

      assertThat(dao.countPendingDeliveries()).isEqualTo(2);
      assertThat(dao.pendingDeliveries(10)).extracting(WebhookDeliveryRow::id)
          .containsExactly("dlv_q_1", "dlv_q_3");
      assertThat(dao.pendingDeliveries(1)).extracting(WebhookDeliveryRow::id)
          .containsExactly("dlv_q_1");
    });
  }

  @Test
  void givenFailedAttemptsThenSuccess_whenRecorded_thenCountedAndDeliveredOnceWithTheLastStatus() {
    insert("wh_try", "owner-wh_try");
    delivery(jdbi, "dlv_try", "wh_try", null);
    jdbi.useExtension(WebhookDao.class, dao -> {
      dao.insertAttempt("dlv_try", 1, "failed", 503, null, 120);
      assertThat(dao.recordAttempt("dlv_try", 503, null, false)).isEqualTo(1);
      dao.insertAttempt("dlv_try", 2, "failed", null, "ConnectException: refused", 5);
      assertThat(dao.recordAttempt("dlv_try", null, "ConnectException: refused", false))
          .isEqualTo(1);
    });
    WebhookDeliveryRow failing = findDelivery("dlv_try");
    assertThat(failing.state()).isEqualTo("pending");
    assertThat(failing.attempts()).isEqualTo(2);
    assertThat(failing.lastStatus()).isNull();
    assertThat(failing.lastError()).isEqualTo("ConnectException: refused");
    assertThat(failing.deliveredAt()).isNull();

    jdbi.useExtension(WebhookDao.class, dao -> {
      dao.insertAttempt("dlv_try", 3, "delivered", 204, null, 40);
      assertThat(dao.recordAttempt("dlv_try", 204, null, true)).isEqualTo(1);
      assertThat(dao.recordAttempt("dlv_try", 500, "late retry", false))
          .as("a delivered delivery is not counted again").isZero();
      assertThat(dao.markFailed("dlv_try", "given up")).as("nor given up").isZero();
    });
    WebhookDeliveryRow delivered = findDelivery("dlv_try");
    assertThat(delivered.state()).isEqualTo("delivered");
    assertThat(delivered.attempts()).isEqualTo(3);
    assertThat(delivered.lastStatus()).isEqualTo(204);
    assertThat(delivered.lastError()).isNull();
    assertThat(delivered.deliveredAt()).isAfterOrEqualTo(delivered.createdAt());

    List<WebhookAttemptRow> attempts =
        jdbi.withExtension(WebhookDao.class, dao -> dao.attempts("dlv_try"));
    assertThat(attempts).extracting(WebhookAttemptRow::attempt).containsExactly(1, 2, 3);
    assertThat(attempts).extracting(WebhookAttemptRow::outcome)
        .containsExactly("failed", "failed", "delivered");
    assertThat(attempts).extracting(WebhookAttemptRow::httpStatus).containsExactly(503, null, 204);
    assertThat(attempts.get(1).error()).isEqualTo("ConnectException: refused");
    assertThat(attempts.get(2).durationMs()).isEqualTo(40);
    assertThat(attempts).allSatisfy(a -> {
      assertThat(a.deliveryId()).isEqualTo("dlv_try");
      assertThat(a.at()).isNotNull();
    });
  }

  @Test
  void givenPendingDelivery_whenMarkedFailed_thenFailedWithTheReasonOnce() {
    insert("wh_fail", "owner-wh_fail");
    delivery(jdbi, "dlv_fail", "wh_fail", null);
    jdbi.useExtension(WebhookDao.class, dao -> {
      assertThat(dao.markFailed("dlv_fail", "HTTP 503 for 24 h")).isEqualTo(1);
      assertThat(dao.markFailed("dlv_fail", "again")).isZero();
    });
    WebhookDeliveryRow row = findDelivery("dlv_fail");
    assertThat(row.state()).isEqualTo("failed");
    assertThat(row.lastError()).isEqualTo("HTTP 503 for 24 h");
  }

  @Test
  void givenAnInterruptsDeliveries_whenPendingIdsRead_thenOnlyItsPendingOnesOldestFirst() {
    insert("wh_int", "owner-wh_int");
    String interruptId = UUID.randomUUID().toString();
    delivery(jdbi, "dlv_int_1", "wh_int", interruptId);
    delivery(jdbi, "dlv_int_2", "wh_int", interruptId);
    delivery(jdbi, "dlv_int_3", "wh_int", interruptId);
    delivery(jdbi, "dlv_int_other", "wh_int", UUID.randomUUID().toString());
    delivery(jdbi, "dlv_int_none", "wh_int", null);
    jdbi.useExtension(WebhookDao.class, dao -> dao.recordAttempt("dlv_int_2", 200, null, true));

    List<String> ids = jdbi.withHandle(h -> WebhookSql.pendingDeliveryIds(h, interruptId));

    assertThat(ids).containsExactly("dlv_int_1", "dlv_int_3");
  }
}
