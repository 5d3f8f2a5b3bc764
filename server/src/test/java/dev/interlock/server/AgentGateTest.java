package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.TestApp.Resp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AgentGate dialect end to end: requests, policies, webhooks, audit, errors. */
class AgentGateTest {

  @TempDir static Path data;
  static TestApp app;
  static CallbackReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new CallbackReceiver();
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
    receiver.close();
  }

  @AfterEach
  void cleanUpPoliciesAndWebhooks() {
    for (JsonNode p : app.get("/api/policies?limit=100", ADMIN_KEY).body().path("policies")) {
      app.delete("/api/policies/" + p.path("id").asText(), ADMIN_KEY);
    }
    for (JsonNode w : app.get("/api/webhooks", ADMIN_KEY).body().path("webhooks")) {
      app.delete("/api/webhooks/" + w.path("id").asText(), ADMIN_KEY);
    }
  }

  private static Resp create(Map<String, Object> body) {
    return app.post("/api/requests", ADMIN_KEY, body);
  }

  @Test
  void givenSpecExample_whenCreatedReadDecidedConfirmed_thenEachAnswerHasTheSpecShape() {
    String expiresAt = Instant.now().plusSeconds(3600).toString();
    Resp created = create(Map.of("action", "send_email",
        "params", Map.of("to", "customer@example.com", "subject", "Order shipped"),
        "context", Map.of("orderId", "12345"), "urgency", "normal", "expiresAt", expiresAt));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("id");
    assertThat(created.text("status")).isEqualTo("pending");
    assertThat(created.text("action")).isEqualTo("send_email");
    assertThat(created.body().path("params").path("to").asText()).isEqualTo("customer@example.com");
    assertThat(created.text("urgency")).isEqualTo("normal");
    assertThat(Instant.parse(created.text("expiresAt"))).isEqualTo(Instant.parse(expiresAt).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

    Resp got = app.get("/api/requests/" + id, ADMIN_KEY);
    assertThat(got.body().path("context").path("orderId").asText()).isEqualTo("12345");

    Resp decided = app.post("/api/requests/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "approved", "reason", "Verified by security team"));
    assertThat(decided.status()).isEqualTo(200);
    assertThat(decided.body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("id", "status", "decidedBy", "decidedAt");
    assertThat(decided.text("status")).isEqualTo("approved");
    assertThat(decided.text("decidedBy")).isNotBlank();

    Resp after = app.get("/api/requests/" + id, ADMIN_KEY);
    assertThat(after.text("decisionReason")).isEqualTo("Verified by security team");
    assertThat(after.text("decidedBy")).isEqualTo(decided.text("decidedBy"));

    Resp confirmed = app.post("/api/requests/" + id + "/confirm", ADMIN_KEY,
        Map.of("result", Map.of("success", true, "messageId", "msg_xyz")));
    assertThat(confirmed.status()).isEqualTo(200);
    assertThat(confirmed.text("confirmedAt")).isNotNull();
    assertThat(app.post("/api/requests/" + id + "/confirm", ADMIN_KEY, Map.of()).status()).isEqualTo(409);

    Resp audit = app.get("/api/requests/" + id + "/audit", ADMIN_KEY);
    assertThat(audit.body()).extracting(n -> n.path("event").asText())
        .containsSubsequence("created", "approved", "confirmed");
    JsonNode confirmEvent = audit.body().get(audit.body().size() - 1);
    assertThat(confirmEvent.path("details").path("result").path("messageId").asText()).isEqualTo("msg_xyz");
    List<Instant> times = new java.util.ArrayList<>();
    audit.body().forEach(n -> times.add(Instant.parse(n.path("timestamp").asText())));
    assertThat(times).isSorted();
  }

  @Test
  void givenDenial_thenDeniedEverywhereAndDecidedByOverride() {
    String id = create(Map.of("action", "delete_db")).text("id");
    Resp r = app.post("/api/requests/" + id + "/decide", ADMIN_KEY,
        Map.of("decision", "denied", "reason", "no", "decidedBy", "alice@example.com"));
    assertThat(r.text("status")).isEqualTo("denied");
    assertThat(r.text("decidedBy")).isEqualTo("alice@example.com");
    Resp again = app.post("/api/requests/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("error").path("code").asText()).isEqualTo("conflict");
    assertThat(app.get("/api/requests/" + id + "/audit", ADMIN_KEY).body())
        .extracting(n -> n.path("event").asText()).contains("denied");
    Resp confirm = app.post("/api/requests/" + id + "/confirm", ADMIN_KEY, Map.of("result", Map.of()));
    assertThat(confirm.status()).isEqualTo(409);
    assertThat(confirm.body().path("error").path("code").asText()).isEqualTo("conflict");
    // The LoopIn door says "rejected" for the same interrupt.
    assertThat(app.get("/interrupts/" + id, ADMIN_KEY).text("status")).isEqualTo("rejected");
  }

  @Test
  void givenRequests_whenListed_thenFilteredNewestFirstAndPaged() throws Exception {
    String action = "list_" + System.nanoTime();
    String a = create(Map.of("action", action, "urgency", "low")).text("id");
    Thread.sleep(5);
    String b = create(Map.of("action", action, "urgency", "critical")).text("id");
    Thread.sleep(5);
    String c = create(Map.of("action", action, "urgency", "critical")).text("id");
    app.post("/api/requests/" + c + "/decide", ADMIN_KEY, Map.of("decision", "denied"));

    assertThat(app.get("/api/requests?action=" + action, ADMIN_KEY).body().path("requests"))
        .extracting(n -> n.path("id").asText()).containsExactly(c, b, a);
    assertThat(app.get("/api/requests?action=" + action + "&status=pending", ADMIN_KEY).body().path("requests"))
        .extracting(n -> n.path("id").asText()).containsExactly(b, a);
    assertThat(app.get("/api/requests?action=" + action + "&status=denied", ADMIN_KEY).body().path("requests"))
        .extracting(n -> n.path("id").asText()).containsExactly(c);
    JsonNode page = app.get("/api/requests?action=" + action + "&urgency=critical&limit=1&offset=1",
        ADMIN_KEY).body();
    assertThat(page.path("requests")).extracting(n -> n.path("id").asText()).containsExactly(b);
    assertThat(page.path("pagination").path("total").asLong()).isEqualTo(2);
    assertThat(page.path("pagination").path("hasMore").asBoolean()).isFalse();
    assertThat(app.get("/api/requests?limit=101", ADMIN_KEY).status()).isEqualTo(400);
    assertThat(app.get("/api/requests?status=nope", ADMIN_KEY).status()).isEqualTo(400);

    Resp stats = app.get("/api/requests/queue-stats", ADMIN_KEY);
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.body().path("total_pending").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(stats.body().path("by_urgency").path("critical").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(stats.body().path("oldest_pending_age_ms").asLong()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void givenBadInput_thenAgentGateErrorShapeWithCodes() {
    Resp missing = create(Map.of("params", Map.of()));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().path("error").path("code").asText()).isEqualTo("bad_request");
    assertThat(missing.body().path("error").path("message").asText()).isEqualTo("action is required");
    assertThat(create(Map.of("action", "x", "urgency", "medium")).status()).isEqualTo(400);
    Resp badDate = create(Map.of("action", "x", "expiresAt", "tomorrow"));
    assertThat(badDate.status()).isEqualTo(400);
    assertThat(badDate.body().path("error").path("message").asText()).contains("ISO-8601");
    assertThat(create(Map.of("action", "x", "expiresAt", "2001-01-01T00:00:00Z")).status()).isEqualTo(400);
    Resp malformed = app.post("/api/requests", ADMIN_KEY, "{nope");
    assertThat(malformed.body().path("error").path("code").asText()).isEqualTo("bad_request");
    Resp notFound = app.get("/api/requests/00000000-0000-4000-8000-000000000000", ADMIN_KEY);
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.body().path("error").path("code").asText()).isEqualTo("not_found");
    Resp unauthorized = app.get("/api/requests", null);
    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.body().path("error").path("code").asText()).isEqualTo("unauthorized");
    Resp badDecision = app.post("/api/requests/" + create(Map.of("action", "x")).text("id") + "/decide",
        ADMIN_KEY, Map.of("decision", "rejected"));
    assertThat(badDecision.body().path("error").path("message").asText())
        .isEqualTo("decision must be approved or denied");
  }

  @Test
  void givenAutoApprovePolicy_whenMatchingRequestCreated_thenReturnedAlreadyApprovedByThePolicy() {
    Resp policy = app.post("/api/policies", ADMIN_KEY, Map.of("name", "auto-approve-low-risk",
        "priority", 10, "enabled", true, "rules", List.of(
            Map.of("match", Map.of("action", "send_notification"), "decision", "auto_approve"),
            Map.of("match", Map.of("params.amount", Map.of("$gt", 1000)), "decision", "auto_deny"))));
    assertThat(policy.status()).as(policy.raw().body()).isEqualTo(201);
    assertThat(policy.text("id")).startsWith("pol_");
    assertThat(policy.body().path("version").asInt()).isEqualTo(1);

    Resp approved = create(Map.of("action", "send_notification"));
    assertThat(approved.status()).isEqualTo(201);
    assertThat(approved.text("status")).isEqualTo("approved");
    assertThat(approved.text("decidedBy")).isEqualTo("policy:auto-approve-low-risk");
    assertThat(approved.text("decisionReason")).contains("auto-approve-low-risk").contains("v1");

    Resp denied = create(Map.of("action", "wire", "params", Map.of("amount", 5000)));
    assertThat(denied.text("status")).isEqualTo("denied");

    Resp human = create(Map.of("action", "wire", "params", Map.of("amount", 50)));
    assertThat(human.text("status")).isEqualTo("pending");

    JsonNode audit = app.get("/api/requests/" + approved.text("id") + "/audit", ADMIN_KEY).body();
    assertThat(audit).extracting(n -> n.path("event").asText())
        .containsExactly("created", "policy.evaluated", "approved");
    assertThat(audit.get(1).path("details").path("policyVersion").asInt()).isEqualTo(1);
    assertThat(audit.get(2).path("actor").asText()).isEqualTo("policy:auto-approve-low-risk");

    // Updating bumps the version; a disabled policy is skipped.
    Resp updated = app.send(app.builder("/api/policies/" + policy.text("id"), ADMIN_KEY)
        .header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":false}")));
    assertThat(updated.body().path("version").asInt()).isEqualTo(2);
    assertThat(updated.body().path("enabled").asBoolean()).isFalse();
    assertThat(create(Map.of("action", "send_notification")).text("status")).isEqualTo("pending");
  }

  @Test
  void givenPolicies_whenSimulated_thenSaysWhatWouldHappenAndCreatesNothing() {
    app.post("/api/policies", ADMIN_KEY, Map.of("name", "late", "priority", 50, "rules",
        List.of(Map.of("match", Map.of("urgency", "critical"), "decision", "auto_approve"))));
    app.post("/api/policies", ADMIN_KEY, Map.of("name", "early", "priority", 5, "rules",
        List.of(Map.of("match", Map.of("context.env", Map.of("$in", List.of("prod"))), "decision", "auto_deny"))));
    long before = app.get("/api/requests/queue-stats", ADMIN_KEY).body().path("total_pending").asLong();

    Resp sim = app.post("/api/policies/simulate", ADMIN_KEY, Map.of("action", "deploy",
        "urgency", "critical", "context", Map.of("env", "prod")));
    assertThat(sim.status()).isEqualTo(200);
    assertThat(sim.text("decision")).isEqualTo("auto_deny");
    assertThat(sim.body().path("policy").path("name").asText()).isEqualTo("early");

    Resp other = app.post("/api/policies/simulate", ADMIN_KEY, Map.of("action", "deploy", "urgency", "critical"));
    assertThat(other.body().path("policy").path("name").asText()).isEqualTo("late");
    Resp none = app.post("/api/policies/simulate", ADMIN_KEY, Map.of("action", "deploy"));
    assertThat(none.text("decision")).isEqualTo("route_to_human");
    assertThat(none.body().path("policy").isNull()).isTrue();
    assertThat(app.get("/api/requests/queue-stats", ADMIN_KEY).body().path("total_pending").asLong())
        .isEqualTo(before);
  }

  @Test
  void givenInvalidPolicy_thenBadRequestWithReason() {
    Resp r = app.post("/api/policies", ADMIN_KEY, Map.of("name", "bad", "rules",
        List.of(Map.of("match", Map.of("action", Map.of("$regex", "(")), "decision", "auto_approve"))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("error").path("message").asText()).contains("not a valid regular expression");
    assertThat(app.post("/api/policies", ADMIN_KEY, Map.of("rules", List.of())).status()).isEqualTo(400);
    assertThat(app.get("/api/policies/pol_nope", ADMIN_KEY).status()).isEqualTo(404);
  }

  static String hmac(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void givenWebhook_whenRequestCreatedAndDecided_thenSignedEventsDelivered() throws Exception {
    Resp hook = app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/agentgate"),
        "events", List.of("request.created", "request.decided", "request.approved")));
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    String secret = hook.text("secret");
    assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
    assertThat(app.get("/api/webhooks", ADMIN_KEY).body().path("webhooks").get(0).has("secret")).isFalse();

    String id = create(Map.of("action", "webhooked")).text("id");
    app.post("/api/requests/" + id + "/decide", ADMIN_KEY, Map.of("decision", "approved"));

    assertThat(eventually(Duration.ofSeconds(15), () -> receiver.to("/agentgate").size() >= 3)).isTrue();
    List<String> events = new java.util.ArrayList<>();
    for (var r : receiver.to("/agentgate")) {
      String ts = r.header("X-AgentGate-Timestamp");
      assertThat(r.header("X-AgentGate-Signature")).isEqualTo("sha256=" + hmac(secret, ts + "." + r.body()));
      JsonNode body = TestApp.JSON.readTree(r.body());
      assertThat(body.path("data").path("request").path("id").asText()).isEqualTo(id);
      assertThat(body.path("timestamp").asText()).isNotBlank();
      events.add(body.path("event").asText());
    }
    assertThat(events).containsExactlyInAnyOrder("request.created", "request.decided", "request.approved");
  }

  @Test
  void givenReceiverFailingTwice_thenRetriedAndExactlyOneSuccessfulDeliveryRecorded() throws Exception {
    receiver.answer(500, 502, 200);
    try {
      Resp hook = app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/flaky-hook"),
          "events", List.of("request.created"), "secret", "s".repeat(40)));
      String hookId = hook.text("id");
      create(Map.of("action", "retry_me"));
      assertThat(eventually(Duration.ofSeconds(20), () -> app.get("/api/webhooks/" + hookId + "/deliveries",
          ADMIN_KEY).body().path(0).path("status").asText().equals("delivered"))).isTrue();
      JsonNode deliveries = app.get("/api/webhooks/" + hookId + "/deliveries", ADMIN_KEY).body();
      assertThat(deliveries).hasSize(1);
      JsonNode delivery = deliveries.get(0);
      assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
      assertThat(delivery.path("attemptLog")).extracting(n -> n.path("outcome").asText())
          .containsExactly("failed", "failed", "delivered");
      assertThat(delivery.path("attemptLog")).extracting(n -> n.path("httpStatus").asInt())
          .containsExactly(500, 502, 200);
      assertThat(receiver.to("/flaky-hook")).hasSize(3);

      // A replay sends the same payload again as a new delivery.
      Resp replay = app.post("/api/webhooks/" + hookId + "/deliveries/" + delivery.path("id").asText()
          + "/replay", ADMIN_KEY, Map.of());
      assertThat(replay.status()).isEqualTo(201);
      assertThat(replay.text("replayOf")).isEqualTo(delivery.path("id").asText());
      assertThat(eventually(Duration.ofSeconds(10), () -> receiver.to("/flaky-hook").size() == 4)).isTrue();
      assertThat(receiver.to("/flaky-hook").get(3).body()).isEqualTo(receiver.to("/flaky-hook").get(2).body());
    } finally {
      receiver.answer(200);
    }
  }

  @Test
  void givenBadWebhooks_thenBadRequest() {
    assertThat(app.post("/api/webhooks", ADMIN_KEY, Map.of("url", "ftp://x", "events", List.of("*"))).status())
        .isEqualTo(400);
    assertThat(app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/x"),
        "events", List.of("request.nope"))).status()).isEqualTo(400);
    assertThat(app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/x"),
        "events", List.of("*"), "secret", "short")).status()).isEqualTo(400);
    assertThat(app.delete("/api/webhooks/wh_nope", ADMIN_KEY).status()).isEqualTo(404);
    assertThat(app.get("/api/webhooks/wh_nope/deliveries", ADMIN_KEY).status()).isEqualTo(404);
  }

  @Test
  void givenAnotherOwner_thenRequestsPoliciesAndWebhooksAreInvisible() {
    String other = app.keyFor("owner-agentgate-b");
    String id = create(Map.of("action", "mine")).text("id");
    String policyId = app.post("/api/policies", ADMIN_KEY, Map.of("name", "p", "rules", List.of())).text("id");
    String hookId = app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/t"),
        "events", List.of("*"))).text("id");

    assertThat(app.get("/api/requests/" + id, other).status()).isEqualTo(404);
    assertThat(app.post("/api/requests/" + id + "/decide", other, Map.of("decision", "approved")).status())
        .isEqualTo(404);
    assertThat(app.get("/api/requests/" + id + "/audit", other).status()).isEqualTo(404);
    assertThat(app.get("/api/requests", other).body().path("requests"))
        .extracting(n -> n.path("id").asText()).doesNotContain(id);
    assertThat(app.get("/api/policies/" + policyId, other).status()).isIn(403, 404);
    assertThat(app.delete("/api/webhooks/" + hookId, other).status()).isIn(403, 404);
  }

  private static Resp bearer(String method, String path, String key, Object body) {
    var b = app.builder(path, null).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json");
    try {
      String text = body == null ? "" : TestApp.JSON.writeValueAsString(body);
      return app.send(switch (method) {
        case "POST" -> b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(text));
        case "PATCH" -> b.method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(text));
        case "DELETE" -> b.DELETE();
        default -> b.GET();
      });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void givenSpecKeyFlow_whenScopedKeyUsed_thenAllowedWhereScopedForbiddenElsewhereAndRevocable() {
    Resp key = app.post("/api/keys", ADMIN_KEY, Map.of("name", "My Agent",
        "scopes", List.of("request:create", "request:read"), "rateLimit", 60));
    assertThat(key.status()).as(key.raw().body()).isEqualTo(201);
    String raw = key.text("key");
    assertThat(raw).matches("agk_[0-9a-f]{64}");
    assertThat(key.text("name")).isEqualTo("My Agent");
    assertThat(key.body().path("scopes")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("request:create", "request:read");
    assertThat(key.body().path("rateLimit").asInt()).isEqualTo(60);

    Resp created = bearer("POST", "/api/requests", raw, Map.of("action", "send_email"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.raw().headers().firstValue("X-RateLimit-Limit")).hasValue("60");
    assertThat(created.raw().headers().firstValue("X-RateLimit-Remaining")).isPresent();
    assertThat(created.raw().headers().firstValue("X-RateLimit-Reset")).isPresent();
    assertThat(bearer("GET", "/api/requests", raw, null).status()).isEqualTo(200);

    Resp forbidden = bearer("POST", "/api/requests/" + created.text("id") + "/decide", raw,
        Map.of("decision", "approved"));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.body().path("error").path("code").asText()).isEqualTo("forbidden");
    assertThat(forbidden.body().path("error").path("message").asText()).contains("request:decide");
    assertThat(bearer("GET", "/api/policies", raw, null).status()).isEqualTo(403);
    assertThat(bearer("GET", "/api/webhooks", raw, null).status()).isEqualTo(403);
    assertThat(bearer("GET", "/api/keys", raw, null).status()).isEqualTo(403);

    // Same store at /api/api-keys; revoking makes the key useless at once.
    assertThat(app.get("/api/api-keys", ADMIN_KEY).body().path("keys")).extracting(n -> n.path("id").asText())
        .contains(key.text("id"));
    assertThat(app.delete("/api/api-keys/" + key.text("id"), ADMIN_KEY).status()).isEqualTo(204);
    Resp revoked = bearer("GET", "/api/requests", raw, null);
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.body().path("error").path("code").asText()).isEqualTo("unauthorized");
  }

  @Test
  void givenRateLimitedKey_whenOverTheLimit_then429WithRetryAfter() {
    String raw = app.post("/api/keys", ADMIN_KEY, Map.of("name", "tight",
        "scopes", List.of("request:read"), "rateLimit", 2)).text("key");
    assertThat(bearer("GET", "/api/requests", raw, null).status()).isEqualTo(200);
    assertThat(bearer("GET", "/api/requests", raw, null).status()).isEqualTo(200);
    Resp limited = bearer("GET", "/api/requests", raw, null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body().path("error").path("code").asText()).isEqualTo("rate_limited");
    assertThat(limited.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(limited.raw().headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
  }

  @Test
  void givenBadKeyRequests_thenBadRequest() {
    assertThat(app.post("/api/keys", ADMIN_KEY, Map.of("name", "x", "scopes", List.of("root"))).status())
        .isEqualTo(400);
    assertThat(app.post("/api/keys", ADMIN_KEY, Map.of("scopes", List.of("admin"))).status()).isEqualTo(400);
    assertThat(app.delete("/api/keys/nope", ADMIN_KEY).status()).isEqualTo(404);
  }

  @Test
  void givenWebhookForExpiry_whenRequestExpires_thenRequestExpiredDelivered() throws Exception {
    app.post("/api/webhooks", ADMIN_KEY, Map.of("url", receiver.url("/expiry-hook"),
        "events", List.of("request.expired")));
    String id = create(Map.of("action", "expire_me",
        "expiresAt", Instant.now().plusSeconds(1).toString())).text("id");
    assertThat(eventually(Duration.ofSeconds(15), () -> !receiver.to("/expiry-hook").isEmpty())).isTrue();
    JsonNode body = TestApp.JSON.readTree(receiver.to("/expiry-hook").get(0).body());
    assertThat(body.path("event").asText()).isEqualTo("request.expired");
    assertThat(body.path("data").path("request").path("id").asText()).isEqualTo(id);
    assertThat(body.path("data").path("request").path("status").asText()).isEqualTo("expired");
    assertThat(app.get("/api/requests/" + id, ADMIN_KEY).text("status")).isEqualTo("expired");
  }

  @Test
  void givenKeysWithOneScopeEach_thenEveryRouteDemandsItsScope() {
    Map<String, String> keys = new java.util.HashMap<>();
    for (String scope : List.of("request:create", "request:read", "request:decide", "webhook:manage")) {
      keys.put(scope, app.post("/api/keys", ADMIN_KEY, Map.of("name", scope, "scopes", List.of(scope)))
          .text("key"));
    }
    String id = create(Map.of("action", "scoped")).text("id");
    record Route(String method, String path, Object body, String scope) {}
    List<Route> routes = List.of(
        new Route("POST", "/api/requests", Map.of("action", "x"), "request:create"),
        new Route("GET", "/api/requests", null, "request:read"),
        new Route("GET", "/api/requests/" + id, null, "request:read"),
        new Route("GET", "/api/requests/" + id + "/audit", null, "request:read"),
        new Route("GET", "/api/requests/queue-stats", null, "request:read"),
        new Route("POST", "/api/requests/" + id + "/decide", Map.of("decision", "denied"), "request:decide"),
        new Route("GET", "/api/webhooks", null, "webhook:manage"),
        new Route("PATCH", "/api/webhooks/wh_nope", Map.of("enabled", false), "webhook:manage"),
        new Route("POST", "/api/webhooks/wh_nope/test", null, "webhook:manage"),
        new Route("GET", "/api/audit", null, "request:read"),
        new Route("GET", "/api/audit/actors", null, "request:read"));
    for (Route route : routes) {
      for (var entry : keys.entrySet()) {
        int status = bearer(route.method(), route.path(), entry.getValue(), route.body()).status();
        if (entry.getKey().equals(route.scope())) {
          assertThat(status).as(route + " with " + entry.getKey()).isNotEqualTo(403);
        } else {
          assertThat(status).as(route + " with " + entry.getKey()).isEqualTo(403);
        }
      }
    }
  }
}
