package dev.interlock.worker;

import dev.interlock.store.OwnerSecretDao;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jdbi.v3.core.Jdbi;

/** Each owner's callback signing secret, created on first use and kept in the store. */
public final class CallbackSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Jdbi jdbi;

  public CallbackSecrets(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public String forOwner(String ownerId) {
    return jdbi.withExtension(OwnerSecretDao.class, dao -> {
      var existing = dao.callbackSecret(ownerId);
      if (existing.isPresent()) {
        return existing.get();
      }
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      dao.insertIfAbsent(ownerId, "whsec_" + HexFormat.of().formatHex(bytes));
      // Another instance may have won the race; the stored value is the one to use.
      return dao.callbackSecret(ownerId).orElseThrow();
    });
  }
}
