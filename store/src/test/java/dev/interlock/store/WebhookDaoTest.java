package dev.interlock.store;

import dev.interlock.model.WebhookRow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
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
}
