package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client mistakes get a clear 4xx in LoopIn's {error} shape, never a 500, and change nothing. */
class BadInputTest {

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static long interruptCount() {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from interrupts")
        .mapTo(Long.class).one());
  }

  static Stream<Arguments> badCreates() {
    return Stream.of(
        Arguments.of("{not json", "Malformed JSON body"),
        Arguments.of("", "Request body must be a JSON object"),
        Arguments.of("[1,2]", "Request body must be a JSON object"),
        Arguments.of("\"text\"", "Request body must be a JSON object"),
        Arguments.of("{\"userId\":\"u\",\"action\":\"a\"}", "agentId is required"),
        Arguments.of("{\"agentId\":\"a\",\"action\":\"a\"}", "userId is required"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\"}", "action is required"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"  \"}", "action is required"),
        Arguments.of("{\"agentId\":7,\"userId\":\"u\",\"action\":\"a\"}", "agentId must be a string"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"expiresIn\":0}",
            "expiresIn must be a positive number of seconds"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"expiresIn\":-5}",
            "expiresIn must be a positive number of seconds"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"expiresIn\":\"soon\"}",
            "expiresIn must be a whole number"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"expiresIn\":1.5}",
            "expiresIn must be a whole number"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"urgency\":\"urgent\"}",
            "urgency must be one of low, medium, high"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"context\":[1]}",
            "context must be a JSON object"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"callbackUrl\":\"ftp://x/y\"}",
            "callbackUrl must be an http or https URL"),
        Arguments.of("{\"agentId\":\"a\",\"userId\":\"u\",\"action\":\"a\",\"callbackUrl\":\"not a url\"}",
            "callbackUrl is not a valid URL"));
  }

  @ParameterizedTest
  @MethodSource("badCreates")
  void givenBadCreateBody_thenBadRequestWithMessageAndNothingStored(String body, String message) {
    long before = interruptCount();
    Resp r = app.post("/interrupts", ADMIN_KEY, body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body().fieldNames()).toIterable().containsExactly("error");
    assertThat(r.text("error")).isEqualTo(message);
    assertThat(interruptCount()).isEqualTo(before);
  }

  @Test
  void givenBodyOverOneMebibyte_thenBadRequest() {
    Map<String, Object> body = new HashMap<>(interrupt("u", "big"));
    body.put("context", Map.of("blob", "x".repeat(1024 * 1024)));
    long before = interruptCount();
    Resp r = app.post("/interrupts", ADMIN_KEY, body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text("error")).isEqualTo("Request body exceeds 1 MiB");
    assertThat(interruptCount()).isEqualTo(before);
  }

  @Test
  void givenBodyJustUnderTheLimit_thenAccepted() {
    Map<String, Object> body = new HashMap<>(interrupt("u", "almost big"));
    body.put("context", Map.of("blob", "x".repeat(1000 * 1000)));
    assertThat(app.post("/interrupts", ADMIN_KEY, body).status()).isEqualTo(201);
  }

  @Test
  void givenBadDecision_thenBadRequestAndStillPending() {
    String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "decide badly")).text("interruptId");
    for (String body : new String[] {
        "{\"decision\":\"maybe\"}", "{}", "{\"decision\":true}", "{oops",
        "{\"decision\":\"approved\",\"modifiedParams\":\"text\"}"}) {
      Resp r = app.post("/interrupts/" + id + "/decide", ADMIN_KEY, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.text("error")).as(body).isNotBlank();
    }
    assertThat(app.post("/interrupts/" + id + "/decide", ADMIN_KEY, "{\"decision\":\"maybe\"}")
        .text("error")).isEqualTo("decision must be approved or rejected");
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("pending");
  }

  @Test
  void givenUnknownOrMalformedIds_thenNotFound() {
    for (String id : new String[] {"3f4e2a1b-0000-4000-8000-000000000000", "nope", "1' or '1'='1"}) {
      String path = "/interrupts/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
          .replace("+", "%20");
      assertThat(app.get(path, ADMIN_KEY).status()).as(id).isEqualTo(404);
      assertThat(app.get(path, ADMIN_KEY).text("error")).isEqualTo("Interrupt not found");
      assertThat(app.post(path + "/decide", ADMIN_KEY, "{\"decision\":\"approved\"}").status())
          .isEqualTo(404);
      assertThat(app.delete(path, ADMIN_KEY).status()).isEqualTo(404);
    }
  }

  @Test
  void givenNoOrWrongKey_thenUnauthorizedInLoopinShape() {
    Resp none = app.get("/interrupts/pending/u", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.text("error")).contains("Missing API key");
    Resp wrong = app.get("/interrupts/pending/u", "ilk_not-a-real-key");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.text("error")).isEqualTo("Invalid, revoked or expired API key");
    Resp bearer = app.send(app.builder("/interrupts/pending/u", null)
        .header("Authorization", "Bearer " + ADMIN_KEY).GET());
    assertThat(bearer.status()).isEqualTo(200);
    assertThat(app.post("/interrupts", null, interrupt("u", "no key")).status()).isEqualTo(401);
  }

  @Test
  void givenBadWait_thenBadRequest() {
    String id = app.post("/interrupts", ADMIN_KEY, interrupt("u", "wait badly")).text("interruptId");
    assertThat(app.get("/interrupts/" + id + "?wait=abc", ADMIN_KEY).status()).isEqualTo(400);
    assertThat(app.get("/interrupts/" + id + "?wait=-1", ADMIN_KEY).status()).isEqualTo(400);
  }

  @Test
  void givenUnknownRouteOrMethod_thenJsonErrorNot500() {
    Resp unknown = app.get("/no/such/route", ADMIN_KEY);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text("error")).isEqualTo("Not found");
    Resp method = app.send(app.builder("/interrupts", ADMIN_KEY)
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.text("error")).isEqualTo("Method not allowed");
  }
}
