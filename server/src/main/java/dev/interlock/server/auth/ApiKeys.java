package dev.interlock.server.auth;

import dev.interlock.server.errors.NotFound;
import dev.interlock.store.ApiKeyDao;
import dev.interlock.store.ApiKeySql;
import dev.interlock.model.ApiKeyRow;
import io.dropwizard.auth.Authenticator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one key store of every dialect. Only SHA-256 hashes of keys are kept; a key's
 * plaintext exists only in the answer that creates it. Key ids are UUIDs (keys created
 * before identities existed keep their {@code key_...} ids).
 */
public final class ApiKeys implements Authenticator<String, Caller> {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern TYPE_PREFIX = Pattern.compile("^[a-z]+(_[a-z]+)*_");

  /** Owner of the bootstrap admin key. */
  public static final String ADMIN_OWNER = "admin";
  /** Loopgate's key prefix, for keys users create. */
  public static final String USER_KEY_PREFIX = "lk_pub_";

  /** A key just created: the row as stored and the plaintext, which is shown once. */
  public record Issued(ApiKeyRow row, String rawKey) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final KeyUsage usage;

  /** A store whose lists show only the uses already written (tests, tools). */
  public ApiKeys(Jdbi jdbi, Clock clock) {
    this(jdbi, clock, null);
  }

  /** @param usage where uses not yet written are noted; lists show them at once */
  public ApiKeys(Jdbi jdbi, Clock clock, KeyUsage usage) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.usage = usage;
  }

  public static String sha256Hex(String key) {
    return ApiKeySql.sha256Hex(key);
  }

  /** A new random key: prefix and 64 hex characters (256 bits). */
  public static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  /** Stores a key for an owner; returns its id. The plaintext is not kept. */
  public String create(String ownerId, String name, String plaintext, Set<String> scopes) {
    String id = UUID.randomUUID().toString();
    jdbi.useExtension(ApiKeyDao.class, dao -> dao.insert(id, ownerId, name, sha256Hex(plaintext),
        visiblePrefix(plaintext), scopes.toArray(String[]::new), null));
    return id;
  }

  /**
   * What of a key may be stored to recognise it: its type prefix ({@code ilk_}), plus 8
   * characters when the random part is long (32 of 256 bits). A key chosen by an operator
   * (INTERLOCK_ADMIN_KEY) may be short, so none of it is kept beyond a type prefix.
   */
  static String visiblePrefix(String plaintext) {
    var m = TYPE_PREFIX.matcher(plaintext);
    String type = m.find() ? m.group() : "";
    return plaintext.length() - type.length() >= 48
        ? plaintext.substring(0, type.length() + 8) : type;
  }

  /**
   * A new {@code lk_pub_} key for a user. Only the type prefix is stored as the key's
   * visible prefix: no character of the random part is kept.
   */
  public Issued issue(Caller creator, String label, Instant expiresAt, Set<String> scopes,
      Integer rateLimit) {
    return issue(USER_KEY_PREFIX, creator, label, expiresAt, scopes, rateLimit);
  }

  /** A new key with a dialect's type prefix ({@code lk_pub_}, {@code agk_}, ...). */
  public Issued issue(String prefix, Caller creator, String label, Instant expiresAt,
      Set<String> scopes, Integer rateLimit) {
    return issue(UUID.randomUUID().toString(), prefix, 32, creator, label, expiresAt, scopes,
        rateLimit);
  }

  /**
   * A new key with a chosen id and length of its random part in bytes (loopat's tokens
   * are {@code tok_<12 hex>} with {@code la_<48 hex>}). The key belongs to the creator's
   * workspace and names the creator, when a user made it.
   */
  public Issued issue(String id, String prefix, int randomBytes, Caller creator, String label,
      Instant expiresAt, Set<String> scopes, Integer rateLimit) {
    String ownerId = creator.ownerId();
    UUID createdBy = creator.userId() == null ? null : UUID.fromString(creator.userId());
    byte[] bytes = new byte[randomBytes];
    RANDOM.nextBytes(bytes);
    String raw = prefix + HexFormat.of().formatHex(bytes);
    String name = label == null || label.isBlank() ? "API key" : label;
    List<String> sorted = new ArrayList<>(scopes);
    Collections.sort(sorted);
    Integer limit = rateLimit == null || rateLimit <= 0 ? null : rateLimit;
    ApiKeyRow row = jdbi.withExtension(ApiKeyDao.class, dao -> dao.create(
        id, ownerId, name, sha256Hex(raw), prefix,
        sorted.toArray(String[]::new), expiresAt, label, limit, createdBy));
    return new Issued(row, raw);
  }

  /**
   * The owner's keys, newest first, revoked and expired ones included, each with its
   * latest use even if that is not written yet (every dialect's key list reads this).
   */
  public List<ApiKeyRow> list(String ownerId) {
    List<ApiKeyRow> rows =
        new ArrayList<>(jdbi.withExtension(ApiKeyDao.class, dao -> dao.listForOwner(ownerId)));
    Collections.reverse(rows);
    if (usage != null) {
      rows.replaceAll(usage::latest);
    }
    return rows;
  }

  /** Revokes one of the owner's keys; another owner's key is "not found", like a missing one. */
  public void revoke(String ownerId, String keyId) {
    int changed = jdbi.withExtension(ApiKeyDao.class,
        dao -> dao.revoke(keyId, ownerId, clock.instant()));
    if (changed == 0) {
      throw new NotFound("API key not found");
    }
  }

  /**
   * Who a caller acts for as a person: a user's own name; for a key, the username of the
   * user who minted it (Loopgate's session owner), empty for keys an operator or another
   * key made.
   */
  public Optional<String> personBehind(Caller caller) {
    if (caller.isUser()) {
      return Optional.of(caller.getName());
    }
    if (caller.keyId() == null) {
      return Optional.empty();
    }
    return jdbi.withExtension(ApiKeyDao.class, dao -> dao.creatorName(caller.keyId()));
  }

  public boolean isActive(ApiKeyRow key) {
    return key.revokedAt() == null
        && (key.expiresAt() == null || key.expiresAt().isAfter(clock.instant()));
  }

  @Override
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || presented.isBlank() || presented.length() > 512) {
      return Optional.empty();
    }
    Optional<ApiKeyRow> row =
        jdbi.withHandle(h -> ApiKeySql.findByHash(h, sha256Hex(presented.trim())));
    return row
        .filter(this::isActive)
        .map(k -> Caller.key(k.id(), k.ownerId(), k.name(),
            Set.copyOf(k.scopes()), k.rateLimit() == null || k.rateLimit() <= 0 ? null : k.rateLimit()));
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
      boolean exists = jdbi.withHandle(h -> ApiKeySql.findByHash(h, sha256Hex(key)).isPresent());
      if (!exists) {
        create(ADMIN_OWNER, "admin (INTERLOCK_ADMIN_KEY)", key, Set.of(Scopes.ADMIN));
        log.info("admin API key from INTERLOCK_ADMIN_KEY registered");
      }
      return;
    }
    long count = jdbi.withExtension(ApiKeyDao.class, ApiKeyDao::count);
    if (count == 0) {
      String key = generate("ilk_");
      create(ADMIN_OWNER, "admin (generated)", key, Set.of(Scopes.ADMIN));
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
}
