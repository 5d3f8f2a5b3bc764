package dev.interlock.server.auth;

import com.password4j.Password;

/**
 * Argon2id password hashes in PHC string form ({@code $argon2id$v=19$m=..,t=..,p=..$..}),
 * with the parameters of {@code psw4j.properties}. A hash records its own parameters, so
 * verification works across parameter changes.
 */
public final class Passwords {

  /** Verified against when the username is unknown, so both cases take as long. */
  private final String decoy = hash("decoy password for unknown users");

  public String hash(String password) {
    return Password.hash(password).addRandomSalt().withArgon2().getResult();
  }

  public boolean matches(String password, String hash) {
    try {
      return Password.check(password, hash).withArgon2();
    } catch (RuntimeException e) {
      return false; // not an Argon2 hash at all
    }
  }

  /** Spends the time of one verification and fails: the answer for an unknown user. */
  public boolean spendVerification(String password) {
    matches(password, decoy);
    return false;
  }
}
