package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Users, login tokens and their keys, made over HTTP the way a client makes them. */
final class Identities {

  static final String PASSWORD = "correct horse battery staple";
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final TestApp app;

  Identities(TestApp app) {
    this.app = app;
  }

  /** A username no other test uses. */
  static String unique(String base) {
    return base + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() % 100_000;
  }

  Resp register(String username, String password) {
    return app.post("/api/auth/register", null, Map.of("username", username, "password", password));
  }

  Resp login(String username, String password) {
    return app.post("/api/auth/login", null, Map.of("username", username, "password", password));
  }

  /** A registered user's token and id. */
  record User(String username, String id, String token) {}

  User newUser(String base) {
    String username = unique(base);
    Resp registered = register(username, PASSWORD);
    assertThat(registered.status()).as(registered.raw().body()).isEqualTo(201);
    Resp login = login(username, PASSWORD);
    assertThat(login.status()).as(login.raw().body()).isEqualTo(200);
    return new User(username, login.text("user_id"), login.text("token"));
  }

  /** A user who exists already (the configured admin user), logged in. */
  User existingUser(String username, String password) {
    Resp login = login(username, password);
    assertThat(login.status()).as(login.raw().body()).isEqualTo(200);
    return new User(username, login.text("user_id"), login.text("token"));
  }

  /** Any request with {@code Authorization: Bearer <credential>}; body may be null. */
  Resp bearer(String method, String path, String credential, Object body) {
    HttpRequest.Builder b = app.builder(path, null);
    if (credential != null) {
      b.header("Authorization", "Bearer " + credential);
    }
    return app.send(b.header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(text(body))));
  }

  /** Creates a key for the user; returns the create response (201 asserted). */
  Resp createKey(User user, Object body) {
    Resp r = bearer("POST", "/api/user/apikeys", user.token(), body);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r;
  }

  String rawKey(User user, Object body) {
    return createKey(user, body).text("raw_key");
  }

  private static String text(Object body) {
    try {
      return body instanceof String s ? s : TestApp.JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
