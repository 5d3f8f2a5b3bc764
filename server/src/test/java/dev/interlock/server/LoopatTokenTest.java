package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loopat's /api/v1/me/tokens: cookie-only, la_ tokens in the one key store. */
class LoopatTokenTest {

  @TempDir static Path data;
  static TestApp app;
  static Identities ids;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
    ids = new Identities(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Resp withCookie(String method, String path, String token, String body) {
    HttpRequest.Builder b = app.builder(path, null).header("Cookie", "loopat_session=" + token)
        .header("Content-Type", "application/json");
    return app.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void givenSessionCookie_whenTokenCreatedUsedListedRevoked_thenWorksLikeTheSpec() {
    Identities.User user = ids.newUser("loopat");
    Resp created = withCookie("POST", "/api/v1/me/tokens", user.token(), "{\"label\":\"my bot\"}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    assertThat(created.text("token")).matches("la_[0-9a-f]{48}");
    assertThat(created.text("tokenId")).matches("tok_[0-9a-f]{12}");
    assertThat(created.text("label")).isEqualTo("my bot");
    String token = created.text("token");

    // The token acts as the user on any dialect.
    Resp interrupt = ids.bearer("POST", "/interrupts", token,
        Map.of("agentId", "bot", "userId", "u", "action", "Via loopat token"));
    assertThat(interrupt.status()).isEqualTo(201);

    Resp list = withCookie("GET", "/api/v1/me/tokens", user.token(), null);
    assertThat(list.body().path("tokens")).hasSize(1);
    assertThat(list.body().path("tokens").get(0).path("tokenId").asText()).isEqualTo(created.text("tokenId"));
    assertThat(list.body().path("tokens").get(0).has("token")).isFalse();

    assertThat(withCookie("DELETE", "/api/v1/me/tokens/" + created.text("tokenId"), user.token(), null)
        .status()).isEqualTo(204);
    assertThat(ids.bearer("GET", "/interrupts/pending/u", token, null).status()).isEqualTo(401);
    assertThat(withCookie("GET", "/api/v1/me/tokens", user.token(), null).body().path("tokens")).isEmpty();
  }

  @Test
  void givenBearerCredentials_whenManagingTokens_thenUnauthorizedInLoopatShape() {
    Identities.User user = ids.newUser("loopat-bearer");
    Resp viaJwt = ids.bearer("POST", "/api/v1/me/tokens", user.token(), Map.of("label", "x"));
    assertThat(viaJwt.status()).isEqualTo(401);
    assertThat(viaJwt.body().path("error").path("type").asText()).isEqualTo("authentication_error");
    assertThat(viaJwt.body().path("error").path("message").asText()).contains("loopat_session");
    Resp none = app.get("/api/v1/me/tokens", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("error").path("type").asText()).isEqualTo("authentication_error");
    Resp missing = withCookie("DELETE", "/api/v1/me/tokens/tok_000000000000", user.token(), null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().path("error").path("type").asText()).isEqualTo("not_found_error");
  }

  @Test
  void givenAnotherUsersToken_whenRevoked_thenNotFound() {
    Identities.User a = ids.newUser("loopat-a");
    Identities.User b = ids.newUser("loopat-b");
    String tokenId = withCookie("POST", "/api/v1/me/tokens", a.token(), "{}").text("tokenId");
    assertThat(withCookie("DELETE", "/api/v1/me/tokens/" + tokenId, b.token(), null).status()).isEqualTo(404);
    assertThat(withCookie("GET", "/api/v1/me/tokens", b.token(), null).body().path("tokens")).isEmpty();
  }
}
