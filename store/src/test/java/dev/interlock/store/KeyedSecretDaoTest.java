package dev.interlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two secret tables behind one statement shape: each DAO's definitions must reach its own
 * table and columns (IdentityDaoTest has the server secrets' first-writer-wins case).
 */
class KeyedSecretDaoTest {

  private static Jdbi jdbi;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(KeyedSecretDaoTest.class);
  }

  private static Optional<String> ownerSecret(String ownerId) {
    return jdbi.withExtension(OwnerSecretDao.class, d -> d.callbackSecret(ownerId));
  }

  private static Optional<String> serverSecret(String name) {
    return jdbi.withExtension(ServerSecretDao.class, d -> d.find(name));
  }

  private static String column(String sql, String key) {
    return jdbi.withHandle(h -> h.createQuery(sql).bind("key", key).mapTo(String.class).one());
  }

  @Test
  void givenOwnerSecret_whenInsertedTwice_thenFirstWriterWinsInOwnerSecrets() {
    Integer first = jdbi.withExtension(OwnerSecretDao.class, d -> d.insertIfAbsent("owner-1", "one"));
    Integer second = jdbi.withExtension(OwnerSecretDao.class, d -> d.insertIfAbsent("owner-1", "two"));

    assertThat(first).isEqualTo(1);
    assertThat(second).isZero();
    assertThat(ownerSecret("owner-1")).hasValue("one");
    assertThat(column("select callback_secret from owner_secrets where owner_id = :key", "owner-1"))
        .isEqualTo("one");
  }

  @Test
  void givenSameKeyInBothTables_whenRead_thenEachDaoSeesOnlyItsOwnTable() {
    jdbi.useExtension(OwnerSecretDao.class, d -> d.insertIfAbsent("shared", "owner's"));
    jdbi.useExtension(ServerSecretDao.class, d -> d.insertIfAbsent("shared", "server's"));

    assertThat(ownerSecret("shared")).hasValue("owner's");
    assertThat(serverSecret("shared")).hasValue("server's");
    assertThat(column("select value from server_secrets where name = :key", "shared"))
        .isEqualTo("server's");
  }

  @Test
  void givenNoSecret_whenRead_thenEmpty() {
    assertThat(ownerSecret("nobody")).isEmpty();
    assertThat(serverSecret("nothing")).isEmpty();
  }
}
