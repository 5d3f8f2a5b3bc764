package dev.interlock.store;

import dev.interlock.model.PolicyRow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An owner's policies, against a real PostgreSQL. */
class PolicyDaoTest {

  private static Jdbi jdbi;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(PolicyDaoTest.class);
  }

  /** {@code [{"match": {"action": "deploy"}, "decision": <decision>}]} */
  private static JsonNode rules(String decision) {
    ObjectMapper json = TestDatabase.mapper();
    ObjectNode rule = json.createObjectNode();
    rule.set("match", json.createObjectNode().put("action", "deploy"));
    rule.put("decision", decision);
    return json.createArrayNode().add(rule);
  }

  private static void insert(String id, String owner, int priority) {
    jdbi.useExtension(PolicyDao.class,
        dao -> dao.insert(id, owner, "policy " + id, priority, true, rules("auto_deny")));
  }

  private static Optional<PolicyRow> find(String id, String owner) {
    return jdbi.withExtension(PolicyDao.class, dao -> dao.find(id, owner));
  }

  private static long count(String owner) {
    return jdbi.withExtension(PolicyDao.class, dao -> dao.count(owner));
  }

  private static List<String> ids(List<PolicyRow> rows) {
    return rows.stream().map(PolicyRow::id).toList();
  }

  @Test
  void givenNewPolicy_whenFoundByItsOwner_thenEveryColumnAsInsertedAtVersionOne() {
    jdbi.useExtension(PolicyDao.class, dao -> dao.insert("pol_new", "owner-new", "No deploys",
        7, false, rules("auto_deny")));

    PolicyRow row = find("pol_new", "owner-new").orElseThrow();

    assertThat(row.ownerId()).isEqualTo("owner-new");
    assertThat(row.name()).isEqualTo("No deploys");
    assertThat(row.priority()).isEqualTo(7);
    assertThat(row.enabled()).isFalse();
    assertThat(row.rules()).isEqualTo(rules("auto_deny"));
    assertThat(row.version()).isEqualTo(1);
    assertThat(row.createdAt()).isNotNull();
    assertThat(row.updatedAt()).isEqualTo(row.createdAt());
    assertThat(find("pol_new", "owner-else")).isEmpty();
  }

  @Test
  void givenPolicies_whenListedAndPaged_thenByPriorityThenAgeThenIdAndOnlyTheOwners() {
    insert("pol_late", "owner-list", 20);
    insert("pol_first", "owner-list", 10);
    insert("pol_second", "owner-list", 10);
    // Inserted in one transaction, so created_at (now()) ties and the id decides.
    jdbi.useTransaction(h -> {
      h.attach(PolicyDao.class).insert("pol_tie_b", "owner-list", "b", 30, true, rules("auto_deny"));
      h.attach(PolicyDao.class).insert("pol_tie_a", "owner-list", "a", 30, true, rules("auto_deny"));
    });
    insert("pol_foreign", "owner-other", 1);

    List<PolicyRow> listed = jdbi.withExtension(PolicyDao.class, dao -> dao.list("owner-list"));
    List<PolicyRow> firstPage =
        jdbi.withExtension(PolicyDao.class, dao -> dao.page("owner-list", 2, 0));
    List<PolicyRow> secondPage =
        jdbi.withExtension(PolicyDao.class, dao -> dao.page("owner-list", 2, 2));

    assertThat(ids(listed))
        .containsExactly("pol_first", "pol_second", "pol_late", "pol_tie_a", "pol_tie_b");
    assertThat(ids(firstPage)).containsExactly("pol_first", "pol_second");
    assertThat(ids(secondPage)).containsExactly("pol_late", "pol_tie_a");
    assertThat(count("owner-list")).isEqualTo(5);
  }

  @Test
  void givenPolicy_whenUpdatedByItsOwner_thenEveryFieldReplacedAndVersionBumped() {
    insert("pol_upd", "owner-upd", 10);
    PolicyRow before = find("pol_upd", "owner-upd").orElseThrow();

    Integer byOther = jdbi.withExtension(PolicyDao.class, dao -> dao.update("pol_upd",
        "owner-else", "taken over", 1, false, rules("auto_approve")));
    Integer byOwner = jdbi.withExtension(PolicyDao.class, dao -> dao.update("pol_upd",
        "owner-upd", "renamed", 5, false, rules("auto_approve")));

    assertThat(byOther).isZero();
    assertThat(byOwner).isEqualTo(1);
    PolicyRow after = find("pol_upd", "owner-upd").orElseThrow();
    assertThat(after.name()).isEqualTo("renamed");
    assertThat(after.priority()).isEqualTo(5);
    assertThat(after.enabled()).isFalse();
    assertThat(after.rules()).isEqualTo(rules("auto_approve"));
    assertThat(after.version()).isEqualTo(2);
    assertThat(after.createdAt()).isEqualTo(before.createdAt());
    assertThat(after.updatedAt()).isAfter(before.updatedAt());
  }

  @Test
  void givenPolicy_whenDeleted_thenOnlyByItsOwnerAndThenGone() {
    insert("pol_del", "owner-del", 10);

    Integer byOther = jdbi.withExtension(PolicyDao.class, dao -> dao.delete("pol_del", "owner-else"));
    Integer byOwner = jdbi.withExtension(PolicyDao.class, dao -> dao.delete("pol_del", "owner-del"));

    assertThat(byOther).isZero();
    assertThat(byOwner).isEqualTo(1);
    assertThat(find("pol_del", "owner-del")).isEmpty();
    assertThat(count("owner-del")).isZero();
  }
}
