package dev.interlock.server.auth;

import dev.interlock.store.ApiKeyDao;
import dev.interlock.store.ApiKeyRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one key store of every dialect. Only SHA-256 hashes of keys are kept. */
public final class ApiKeys {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Owner of the bootstrap admin key until users exist. */
  public static final String ADMIN_OWNER = "admin";

  private final Jdbi jdbi;
  private final Clock clock;

  public ApiKeys(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  public static String sha256Hex(String key) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random key: prefix and 64 hex characters (256 bits). */
  public static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  /** Stores a key for an owner; returns its id. The plaintext is not kept. */
  public String create(String ownerId, String name, String plaintext, Set<String> scopes) {
    String id = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String prefix = plaintext.substring(0, Math.min(plaintext.length(), 12));
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.insert(id, ownerId, name, sha256Hex(plaintext),
        prefix, scopes.toArray(String[]::new), null));
    return id;
  }

  public Optional<Caller> authenticate(String presented) {
    if (presented == null || presented.isBlank() || presented.length() > 512) {
      return Optional.empty();
    }
    Optional<ApiKeyRow> row =
        jdbi.withExtension(ApiKeyDao.class, dao -> dao.findByHash(sha256Hex(presented.trim())));
    var now = clock.instant();
    return row
        .filter(k -> k.revokedAt() == null)
        .filter(k -> k.expiresAt() == null || k.expiresAt().isAfter(now))
        .map(k -> new Caller(k.id(), k.ownerId(), k.name(), Set.copyOf(k.scopes())));
  }

  /**
   * At start: if {@code configuredAdminKey} is set, make sure it is a valid admin key; if it
   * is not set and no key exists at all, create one and print it once.
   */
  public void bootstrap(String configuredAdminKey) {
    if (configuredAdminKey != null && !configuredAdminKey.isBlank()) {
      String key = configuredAdminKey.trim();
      if (key.length() < 16) {
        throw new IllegalArgumentException("INTERLOCK_ADMIN_KEY must be at least 16 characters");
      }
      boolean exists = jdbi.withExtension(ApiKeyDao.class,
          dao -> dao.findByHash(sha256Hex(key)).isPresent());
      if (!exists) {
        create(ADMIN_OWNER, "admin (INTERLOCK_ADMIN_KEY)", key, Set.of("admin"));
        log.info("admin API key from INTERLOCK_ADMIN_KEY registered");
      }
      return;
    }
    long count = jdbi.withExtension(ApiKeyDao.class, ApiKeyDao::count);
    if (count == 0) {
      String key = generate("ilk_");
      create(ADMIN_OWNER, "admin (generated)", key, Set.of("admin"));
      // Printed once, on the first start only: it is not stored anywhere in plaintext.
      log.warn("""

          ==================================================================
           No API key existed, so an admin key was created. It is shown
           only this once; store it now:

             {}

           Use it as "X-API-Key: <key>" or "Authorization: Bearer <key>".
          ==================================================================""", key);
    }
  }

  List<ApiKeyRow> listFor(String ownerId) {
    return jdbi.withExtension(ApiKeyDao.class, dao -> dao.listForOwner(ownerId));
  }
}
