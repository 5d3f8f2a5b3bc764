package dev.interlock.server.auth;

import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.store.UserDao;
import dev.interlock.model.UserRow;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Registration and login. Passwords are kept only as Argon2id hashes.
 */
public final class Users {

  public static final int MIN_PASSWORD = 8;
  /** Argon2 reads the whole password; a bound keeps a single request cheap. */
  public static final int MAX_PASSWORD = 1024;
  public static final int MAX_USERNAME = 100;

  /** What a successful login hands out. */
  public record Login(String token, String userId, String username) {}

  private final Jdbi jdbi;
  private final Passwords passwords;
  private final LoginTokens tokens;
  private final boolean registrationOpen;
  private final Workspaces workspaces;

  public Users(Jdbi jdbi, Passwords passwords, LoginTokens tokens, boolean registrationOpen,
      Workspaces workspaces) {
    this.jdbi = jdbi;
    this.passwords = passwords;
    this.tokens = tokens;
    this.registrationOpen = registrationOpen;
    this.workspaces = workspaces;
  }

  /**
   * Returns the new user's id. Usernames are unique regardless of letter case. The user
   * gets a workspace of its own; the first user of a server also becomes the admin of the
   * default workspace ({@link Workspaces#onRegistered}).
   */
  public UUID register(String username, String password) {
    if (!registrationOpen) {
      throw new Forbidden("Registration is closed on this server");
    }
    return create(username, password);
  }

  /** Creates a user whatever the registration setting (the bootstrap admin). */
  UUID create(String username, String password) {
    String name = validUsername(username);
    if (password.length() > MAX_PASSWORD) {
      throw new InvalidRequest("password must be at most " + MAX_PASSWORD + " characters");
    }
    if (password.codePointCount(0, password.length()) < MIN_PASSWORD) {
      throw new InvalidRequest("password must be at least " + MIN_PASSWORD + " characters");
    }
    UUID id = UUID.randomUUID();
    String hash = passwords.hash(password);
    jdbi.useTransaction(h -> {
      if (h.attach(UserDao.class).insert(id, name, hash) == 0) {
        throw new Conflict("Username already exists");
      }
      workspaces.onRegistered(h, id, name);
    });
    return id;
  }

  public Login login(String username, String password) {
    String name = username.trim();
    Optional<UserRow> user = name.length() > MAX_USERNAME || password.length() > MAX_PASSWORD
        ? Optional.empty()
        : jdbi.withExtension(UserDao.class, dao -> dao.findByUsername(name));
    boolean ok = user.isPresent()
        ? passwords.matches(password, user.get().passwordHash())
        : passwords.spendVerification(password);
    if (!ok) {
      throw new Unauthorized("Invalid username or password");
    }
    UserRow u = user.get();
    return new Login(tokens.issue(u.id(), u.username()), u.id().toString(), u.username());
  }

  private static String validUsername(String username) {
    String name = username.trim();
    if (name.isEmpty()) {
      throw new InvalidRequest("username is required");
    }
    if (name.length() > MAX_USERNAME) {
      throw new InvalidRequest("username must be at most " + MAX_USERNAME + " characters");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequest("username must not contain control characters");
    }
    return name;
  }
}
