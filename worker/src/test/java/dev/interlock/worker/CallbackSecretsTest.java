package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.store.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CallbackSecretsTest {

  private static Jdbi jdbi;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(CallbackSecretsTest.class);
  }

  @Test
  void givenOwner_whenAskedTwice_thenSameSecret() {
    var secrets = new CallbackSecrets(jdbi);

    String first = secrets.forOwner("owner-twice");
    String second = secrets.forOwner("owner-twice");

    assertThat(second).isEqualTo(first);
  }

  @Test
  void givenSecretCreated_whenAnotherInstanceAsks_thenStoredSecretIsReturned() {
    String first = new CallbackSecrets(jdbi).forOwner("owner-stored");

    String fromAnotherInstance = new CallbackSecrets(jdbi).forOwner("owner-stored");
    String stored = jdbi.withHandle(h -> h.createQuery(
            "select callback_secret from owner_secrets where owner_id = 'owner-stored'")
        .mapTo(String.class).one());

    assertThat(fromAnotherInstance).isEqualTo(first).isEqualTo(stored);
  }

  @Test
  void givenTwoOwners_whenAsked_thenSecretsDiffer() {
    var secrets = new CallbackSecrets(jdbi);

    assertThat(secrets.forOwner("owner-a")).isNotEqualTo(secrets.forOwner("owner-b"));
  }

  @Test
  void givenNewOwner_whenAsked_thenSecretIsLongAndPrefixed() {
    String secret = new CallbackSecrets(jdbi).forOwner("owner-length");

    assertThat(secret).startsWith("whsec_").hasSizeGreaterThanOrEqualTo(32);
    assertThat(secret.substring("whsec_".length())).matches("[0-9a-f]{64}");
  }
}
