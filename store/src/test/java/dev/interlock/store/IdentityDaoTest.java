package dev.interlock.store;

import dev.interlock.model.UserRow;
import dev.interlock.model.ApiKeyRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Users, server secrets and the key columns V2 adds, against a real PostgreSQL. */
class IdentityDaoTest {

  private static Jdbi jdbi;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(IdentityDaoTest.class);
  }

  @Test
  void givenUser_whenSameNameInOtherCaseInserted_thenIgnoredAndFoundEitherWay() {
    UUID first = UUID.randomUUID();
    Integer a = jdbi.withExtension(UserDao.class, d -> d.insert(first, "Ada", "$argon2id$x"));
    Integer b = jdbi.withExtension(UserDao.class, d -> d.insert(UUID.randomUUID(), "ADA", "$argon2id$y"));

    assertThat(a).isEqualTo(1);
    assertThat(b).isZero();
    UserRow found = jdbi.withExtension(UserDao.class, d -> d.findByUsername("ada")).orElseThrow();
    assertThat(found.id()).isEqualTo(first);
    assertThat(found.username()).isEqualTo("Ada");
    assertThat(found.createdAt()).isNotNull();
  }

  @Test
  void givenSecret_whenInsertedTwice_thenFirstWriterWins() {
    jdbi.useExtension(ServerSecretDao.class, d -> d.insertIfAbsent("s", "one"));
    Integer second = jdbi.withExtension(ServerSecretDao.class, d -> d.insertIfAbsent("s", "two"));
    assertThat(second).isZero();
    Optional<String> stored = jdbi.withExtension(ServerSecretDao.class, d -> d.find("s"));
    assertThat(stored).hasValue("one");
  }

  @Test
  void givenKeyWithLabelAndLimit_whenCreatedAndRevokedByItsOwner_thenStoredAndRevokedOnce() {
    String id = UUID.randomUUID().toString();
    Instant expires = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.MICROS);
    ApiKeyRow row = jdbi.withExtension(ApiKeyDao.class, d -> d.create(id, "owner-1", "name",
        "hash-" + id, "lk_pub_", new String[] {"request:read"}, expires, "label", 30, null));

    assertThat(row.label()).isEqualTo("label");
    assertThat(row.rateLimit()).isEqualTo(30);
    assertThat(row.scopes()).containsExactly("request:read");
    assertThat(row.expiresAt()).isEqualTo(expires);
    assertThat(row.createdAt()).isNotNull();

    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Integer byOther = jdbi.withExtension(ApiKeyDao.class, d -> d.revoke(id, "owner-2", at));
    Integer byOwner = jdbi.withExtension(ApiKeyDao.class, d -> d.revoke(id, "owner-1", at));
    Integer again = jdbi.withExtension(ApiKeyDao.class,
        d -> d.revoke(id, "owner-1", at.plusSeconds(5)));
    assertThat(byOther).isZero();
    assertThat(byOwner).isEqualTo(1);
    assertThat(again).isEqualTo(1);
    List<ApiKeyRow> keys = jdbi.withExtension(ApiKeyDao.class, d -> d.listForOwner("owner-1"));
    assertThat(keys).singleElement().satisfies(k -> assertThat(k.revokedAt()).isEqualTo(at));
  }
}
