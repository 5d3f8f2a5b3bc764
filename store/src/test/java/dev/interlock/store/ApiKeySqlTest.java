package dev.interlock.store;

import dev.interlock.model.ApiKeyRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The key lookup every authenticated request makes, and the writes it reads back. */
class ApiKeySqlTest {

  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456Z");

  private static Jdbi jdbi;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(ApiKeySqlTest.class);
  }

  private static Optional<ApiKeyRow> byHash(String hash) {
    return jdbi.withHandle(h -> ApiKeySql.findByHash(h, hash));
  }

  private static ApiKeyRow create(String id, String owner) {
    return jdbi.withExtension(ApiKeyDao.class, dao -> dao.create(id, owner, "ci", "hash-" + id,
        "lk_" + id, new String[] {"request:read", "request:write"}, T0.plusSeconds(3600),
        "deploy bot", 60, null));
  }

  @Test
  void givenKeyWithEveryColumn_whenFoundByHash_thenTheHandWrittenMapperAgreesWithTheStoredRow() {
    ApiKeyRow created = create("key-all", "owner-all");
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.revoke("key-all", "owner-all", T0));
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.touch(List.of("key-all"), T0.plusSeconds(1)));

    ApiKeyRow found = byHash("hash-key-all").orElseThrow();

    // The SqlObject constructor mapper is the reference for what each column means.
    ApiKeyRow reference = jdbi.withExtension(ApiKeyDao.class, dao -> dao.listForOwner("owner-all"))
        .get(0);
    assertThat(found).isEqualTo(reference);
    assertThat(found.id()).isEqualTo("key-all");
    assertThat(found.ownerId()).isEqualTo("owner-all");
    assertThat(found.name()).isEqualTo("ci");
    assertThat(found.keyHash()).isEqualTo("hash-key-all");
    assertThat(found.keyPrefix()).isEqualTo("lk_key-all");
    assertThat(found.scopes()).containsExactly("request:read", "request:write");
    assertThat(found.createdAt()).isEqualTo(created.createdAt());
    assertThat(found.expiresAt()).isEqualTo(T0.plusSeconds(3600));
    // A revoked key is still found: refusing it is the caller's rule, not the store's.
    assertThat(found.revokedAt()).isEqualTo(T0);
    assertThat(found.lastUsedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(found.label()).isEqualTo("deploy bot");
    assertThat(found.rateLimit()).isEqualTo(60);
  }

  @Test
  void givenKeyInsertedWithoutOptionalColumns_whenFoundByHash_thenNullsAndNoScopes() {
    Integer inserted = jdbi.withExtension(ApiKeyDao.class, dao -> dao.insert("key-min",
        "owner-min", "minimal", "hash-key-min", "lk_min", new String[0], null));

    ApiKeyRow found = byHash("hash-key-min").orElseThrow();

    assertThat(inserted).isEqualTo(1);
    assertThat(found.scopes()).isEmpty();
    assertThat(found.expiresAt()).isNull();
    assertThat(found.revokedAt()).isNull();
    assertThat(found.lastUsedAt()).isNull();
    assertThat(found.label()).isNull();
    assertThat(found.rateLimit()).isNull();
  }

  @Test
  void givenUnknownHash_whenLookedUp_thenEmpty() {
    create("key-known", "owner-known");

    assertThat(byHash("hash-unknown")).isEmpty();
    assertThat(byHash("HASH-KEY-KNOWN")).as("hashes compare exactly").isEmpty();
  }

  @Test
  void givenKeyWithTheSameHash_whenInserted_thenIgnoredAndTheFirstKeyIsFound() {
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.insert("key-first", "owner-dup", "first",
        "hash-dup", "lk_a", new String[] {"request:read"}, null));
    Integer second = jdbi.withExtension(ApiKeyDao.class, dao -> dao.insert("key-second",
        "owner-dup", "second", "hash-dup", "lk_b", new String[] {"request:read"}, null));

    assertThat(second).isZero();
    assertThat(byHash("hash-dup")).map(ApiKeyRow::id).hasValue("key-first");
  }

  @Test
  void givenUsesReportedOutOfOrder_whenTouched_thenTheLatestUseIsKept() {
    create("key-use-a", "owner-use");
    create("key-use-b", "owner-use");
    create("key-use-c", "owner-use");

    Integer touched = jdbi.withExtension(ApiKeyDao.class,
        dao -> dao.touch(List.of("key-use-a", "key-use-b"), T0.plusSeconds(20)));
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.touch(List.of("key-use-a"), T0.plusSeconds(10)));

    assertThat(touched).isEqualTo(2);
    assertThat(byHash("hash-key-use-a").orElseThrow().lastUsedAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(byHash("hash-key-use-b").orElseThrow().lastUsedAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(byHash("hash-key-use-c").orElseThrow().lastUsedAt()).isNull();
  }
}
