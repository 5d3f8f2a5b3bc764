package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AgentGate's own TypeScript SDK ({@code @agentgate/sdk}, {@code AgentGateClient}) against
 * Interlock, call by call: {@link Sdk} sends exactly what the SDK's {@code fetch} sends (JSON
 * content type, {@code Authorization: Bearer}, the SDK's paths, query order and bodies) and
 * reads the answer as the SDK does, so each test asserts the fields the SDK itself reads:
 * list envelopes, {@code updatedAt}, the webhook and audit calls, and the top-level
 * {@code message} and {@code code} of errors.
 */
class AgentGateSdkShapesTest {

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

  /** What the SDK's {@code AgentGateError} carries. */
  static final class SdkError extends RuntimeException {
    final int statusCode;
    final String code;
    final JsonNode body;

    SdkError(String message, int statusCode, String code, JsonNode body) {
      super(message);
      this.statusCode = statusCode;
      this.code = code;
      this.body = body;
    }
  }

  /** The SDK's {@code AgentGateClient}: its private {@code fetch} and the public calls used here. */
  static final class Sdk {
    private final String apiKey;

    Sdk(String apiKey) {
      this.apiKey = apiKey;
    }

    /**
     * As the SDK's fetch: always {@code Content-Type: application/json}; a non-2xx answer
     * throws with the body's top-level {@code message} (else "Request failed with status N")
     * and {@code code}; a 204 or a non-JSON answer is undefined (null here).
     */
    JsonNode fetch(String method, String path, Object body) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.base() + path))
          .timeout(Duration.ofSeconds(60))
          .header("Connection", "close")
          .header("Content-Type", "application/json");
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      HttpRequest.BodyPublisher publisher;
      try {
        publisher = body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(TestApp.JSON.writeValueAsString(body));
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
      b.method(method, publisher);
      HttpResponse<String> r = app.raw(b);
      JsonNode parsed = null;
      try {
        parsed = r.body() == null || r.body().isBlank() ? null : TestApp.JSON.readTree(r.body());
      } catch (IOException e) {
        parsed = null; // the SDK ignores bodies that are not JSON
      }
      if (r.statusCode() < 200 || r.statusCode() > 299) {
        String message = "Request failed with status " + r.statusCode();
        String code = null;
        if (parsed != null && parsed.path("message").isTextual()) {
          message = parsed.path("message").asText();
        }
        if (parsed != null && parsed.path("code").isTextual()) {
          code = parsed.path("code").asText();
        }
        throw new SdkError(message, r.statusCode(), code, parsed);
      }
      String type = r.headers().firstValue("Content-Type").orElse("");
      if (r.statusCode() == 204 || !type.contains("application/json")) {
        return null;
      }
      return parsed;
    }

    /** {@code request(opts)}: params and context default to {}, urgency to normal. */
    JsonNode request(String action) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("action", action);
      body.put("params", Map.of());
      body.put("context", Map.of());
      body.put("urgency", "normal");
      return fetch("POST", "/api/requests", body);
    }

    JsonNode getRequest(String id) {
      return fetch("GET", "/api/requests/" + id, null);
    }

    /** {@code listRequests(opts)}: the whole answer; the SDK then maps {@code data.requests}. */
    JsonNode listRequests(String status, String action, Integer limit, Integer offset) {
      List<String> q = new ArrayList<>();
      if (status != null) {
        q.add("status=" + enc(status));
      }
      if (action != null) {
        q.add("action=" + enc(action));
      }
      if (limit != null) {
        q.add("limit=" + limit);
      }
      if (offset != null) {
        q.add("offset=" + offset);
      }
      return fetch("GET", q.isEmpty() ? "/api/requests" : "/api/requests?" + String.join("&", q), null);
    }

    JsonNode listPolicies() {
      return fetch("GET", "/api/policies", null);
    }

    JsonNode createPolicy(Map<String, Object> opts) {
      return fetch("POST", "/api/policies", opts);
    }

    JsonNode listWebhooks() {
      return fetch("GET", "/api/webhooks", null);
    }

    JsonNode createWebhook(String url, List<String> events) {
      return fetch("POST", "/api/webhooks", Map.of("url", url, "events", events));
    }

    JsonNode updateWebhook(String id, Map<String, Object> opts) {
      return fetch("PATCH", "/api/webhooks/" + id, opts);
    }

    JsonNode deleteWebhook(String id) {
      return fetch("DELETE", "/api/webhooks/" + id, null);
    }

    /** {@code testWebhook(id)}: a POST without a body. */
    JsonNode testWebhook(String id) {
      return fetch("POST", "/api/webhooks/" + id + "/test", null);
    }

    /** {@code listAuditLogs(opts)}: every option given becomes a query parameter, in order. */
    JsonNode listAuditLogs(Map<String, Object> opts) {
      List<String> q = new ArrayList<>();
      opts.forEach((k, v) -> q.add(k + "=" + enc(String.valueOf(v))));
      return fetch("GET", q.isEmpty() ? "/api/audit" : "/api/audit?" + String.join("&", q), null);
    }

    JsonNode getAuditActors() {
      return fetch("GET", "/api/audit/actors", null);
    }

    JsonNode listApiKeys() {
      return fetch("GET", "/api/api-keys", null);
    }

    JsonNode createApiKey(String name, List<String> scopes, Integer rateLimit) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("scopes", scopes);
      body.put("rateLimit", rateLimit);
      return fetch("POST", "/api/api-keys", body);
    }

    JsonNode revokeApiKey(String id) {
      return fetch("DELETE", "/api/api-keys/" + id, null);
    }

    private static String enc(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
  }

  /** A client for a new owner of its own (so lists and counts hold only this test's data). */
  private static Sdk newOwner(String... scopes) {
    String owner = "sdk-owner-" + System.nanoTime();
    return new Sdk(app.keyFor(owner, Set.of(scopes.length == 0 ? new String[] {"admin"} : scopes)));
  }

  /** The SDK's {@code parseRequest}: {@code new Date(data.updatedAt)} must be a valid date. */
  private static Instant date(JsonNode request, String field) {
    assertThat(request.path(field).isTextual()).as(field + " of " + request).isTrue();
    return Instant.parse(request.path(field).asText());
  }

  private static SdkError sdkError(Runnable call) {
    try {
      call.run();
    } catch (SdkError e) {
      return e;
    }
    throw new AssertionError("expected the SDK to throw AgentGateError");
  }

  // --- requests ---------------------------------------------------------------------

  @Test
  void request_getRequest_listRequests_whenUsed_thenEveryRequestCarriesUpdatedAtAndTheListIsAnEnvelope() {
    Sdk sdk = newOwner();
    String action = "sdk_list_" + System.nanoTime();
    JsonNode first = sdk.request(action);
    sdk.request(action);
    sdk.request(action);
    assertThat(date(first, "updatedAt")).isEqualTo(date(first, "createdAt"));
    assertThat(date(sdk.getRequest(first.path("id").asText()), "updatedAt"))
        .isEqualTo(date(first, "createdAt"));

    JsonNode page = sdk.listRequests(null, action, 2, 0);
    assertThat(page.path("requests").isArray()).isTrue();
    assertThat(page.path("requests")).hasSize(2).allSatisfy(r -> {
      date(r, "createdAt");
      date(r, "updatedAt");
      assertThat(r.path("status").asText()).isEqualTo("pending");
    });
    JsonNode pagination = page.path("pagination");
    assertThat(pagination.path("total").asLong()).isEqualTo(3);
    assertThat(pagination.path("limit").asInt()).isEqualTo(2);
    assertThat(pagination.path("offset").asInt()).isEqualTo(0);
    assertThat(pagination.path("hasMore").asBoolean()).isTrue();

    JsonNode last = sdk.listRequests(null, action, 2, 2);
    assertThat(last.path("requests")).extracting(r -> r.path("id").asText())
        .containsExactly(first.path("id").asText());
    assertThat(last.path("pagination").path("hasMore").asBoolean()).isFalse();
    // Defaults when the SDK sends no options: limit 50, offset 0.
    JsonNode all = sdk.listRequests(null, null, null, null);
    assertThat(all.path("pagination").path("limit").asInt()).isEqualTo(50);
    assertThat(all.path("pagination").path("offset").asInt()).isEqualTo(0);
    assertThat(all.path("pagination").path("total").asLong()).isEqualTo(3);

    // A decision moves updatedAt to the decision.
    String id = first.path("id").asText();
    sdk.fetch("POST", "/api/requests/" + id + "/decide", Map.of("decision", "approved"));
    JsonNode decided = sdk.getRequest(id);
    assertThat(date(decided, "updatedAt")).isEqualTo(date(decided, "decidedAt"))
        .isAfterOrEqualTo(date(decided, "createdAt"));
    assertThat(sdk.listRequests("approved", action, null, null).path("requests"))
        .extracting(r -> r.path("updatedAt").asText()).containsExactly(decided.path("updatedAt").asText());
  }

  // --- errors -----------------------------------------------------------------------

  @Test
  void anyCall_whenItFails_thenTheSdkReadsMessageAndCodeAndTheSpecShapeStays() {
    Sdk sdk = newOwner();
    for (String id : new String[] {"00000000-0000-4000-8000-000000000000", "nope"}) {
      SdkError notFound = sdkError(() -> sdk.getRequest(id));
      assertThat(notFound.statusCode).isEqualTo(404);
      assertThat(notFound.getMessage()).isEqualTo("Request not found");
      assertThat(notFound.code).isEqualTo("not_found");
      assertThat(notFound.body.path("error").path("code").asText()).isEqualTo("not_found");
      assertThat(notFound.body.path("error").path("message").asText()).isEqualTo("Request not found");
    }
    String unknown = "00000000-0000-4000-8000-000000000000";
    assertThat(sdkError(() -> sdk.fetch("POST", "/api/requests/" + unknown + "/decide",
        Map.of("decision", "approved"))).getMessage()).isEqualTo("Request not found");
    assertThat(sdkError(() -> sdk.fetch("GET", "/api/requests/" + unknown + "/audit", null))
        .getMessage()).isEqualTo("Request not found");

    SdkError bad = sdkError(() -> sdk.fetch("POST", "/api/requests", Map.of("params", Map.of())));
    assertThat(bad.statusCode).isEqualTo(400);
    assertThat(bad.getMessage()).isEqualTo("action is required");
    assertThat(bad.code).isEqualTo("bad_request");

    String id = sdk.request("sdk_errors").path("id").asText();
    sdk.fetch("POST", "/api/requests/" + id + "/decide", Map.of("decision", "denied"));
    SdkError conflict = sdkError(() -> sdk.fetch("POST", "/api/requests/" + id + "/decide",
        Map.of("decision", "approved")));
    assertThat(conflict.statusCode).isEqualTo(409);
    assertThat(conflict.code).isEqualTo("conflict");
    assertThat(conflict.getMessage()).isNotBlank().doesNotStartWith("Request failed with status");

    SdkError unauthorized = sdkError(() -> new Sdk(null).listRequests(null, null, null, null));
    assertThat(unauthorized.statusCode).isEqualTo(401);
    assertThat(unauthorized.code).isEqualTo("unauthorized");
    assertThat(unauthorized.getMessage()).contains("API key")
        .doesNotStartWith("Request failed with status");

    SdkError forbidden = sdkError(() -> newOwner("request:read").listWebhooks());
    assertThat(forbidden.statusCode).isEqualTo(403);
    assertThat(forbidden.code).isEqualTo("forbidden");
    assertThat(forbidden.getMessage()).contains("webhook:manage");

    // Only AgentGate's paths changed: LoopIn's errors stay {"error": "message"}.
    TestApp.Resp loopin = app.get("/interrupts/" + unknown, ADMIN_KEY);
    assertThat(loopin.body().path("error").asText()).isEqualTo("Interrupt not found");
    assertThat(loopin.body().has("code")).isFalse();
  }

  // --- policies ---------------------------------------------------------------------

  @Test
  void listPolicies_whenPoliciesExist_thenPoliciesAndPaginationInEvaluationOrder() {
    Sdk sdk = newOwner();
    for (int priority : new int[] {30, 10, 20}) {
      sdk.createPolicy(Map.of("name", "p" + priority, "priority", priority, "enabled", true,
          "rules", List.of(Map.of("match", Map.of("action", "never_" + priority),
              "decision", "auto_approve"))));
    }
    JsonNode listed = sdk.listPolicies();
    assertThat(listed.path("policies")).extracting(p -> p.path("name").asText())
        .containsExactly("p10", "p20", "p30");
    assertThat(listed.path("policies").get(0).path("rules").get(0).path("decision").asText())
        .isEqualTo("auto_approve");
    assertThat(listed.path("policies").get(0).path("enabled").asBoolean()).isTrue();
    assertThat(listed.path("pagination").path("total").asLong()).isEqualTo(3);
    assertThat(listed.path("pagination").path("hasMore").asBoolean()).isFalse();

    JsonNode page = sdk.fetch("GET", "/api/policies?limit=2&offset=1", null);
    assertThat(page.path("policies")).extracting(p -> p.path("name").asText())
        .containsExactly("p20", "p30");
    assertThat(page.path("pagination").path("offset").asInt()).isEqualTo(1);
    assertThat(sdkError(() -> sdk.fetch("GET", "/api/policies?limit=0", null)).code)
        .isEqualTo("bad_request");
  }

  // --- webhooks ---------------------------------------------------------------------

  @Test
  void listWebhooks_updateWebhook_whenDisabled_thenListedAsDisabledAndNothingDelivered() {
    Sdk sdk = newOwner();
    JsonNode created = sdk.createWebhook(receiver.url("/sdk-off"), List.of("request.created"));
    String id = created.path("id").asText();
    assertThat(created.path("enabled").asBoolean()).isTrue();
    assertThat(created.path("secret").asText()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(created.path("message").asText()).isNotBlank();
    // A second, enabled webhook: once it has the event, the disabled one's is not coming.
    sdk.createWebhook(receiver.url("/sdk-on"), List.of("request.created"));

    JsonNode listed = sdk.listWebhooks();
    assertThat(listed.path("webhooks")).hasSize(2).allSatisfy(w -> {
      assertThat(w.path("enabled").isBoolean()).isTrue();
      assertThat(w.has("secret")).isFalse();
      assertThat(w.path("events").isArray()).isTrue();
    });

    JsonNode off = sdk.updateWebhook(id, Map.of("enabled", false));
    assertThat(off.path("success").asBoolean()).isTrue();
    assertThat(off.path("webhook").path("enabled").asBoolean()).isFalse();
    assertThat(sdk.listWebhooks().path("webhooks")).filteredOn(w -> w.path("id").asText().equals(id))
        .singleElement().satisfies(w -> assertThat(w.path("enabled").asBoolean()).isFalse());

    String requestId = sdk.request("sdk_disabled_hook").path("id").asText();
    assertThat(eventually(Duration.ofSeconds(15), () -> receiver.to("/sdk-on").stream()
        .anyMatch(r -> r.body().contains(requestId)))).isTrue();
    assertThat(receiver.to("/sdk-off")).isEmpty();
    assertThat(sdk.fetch("GET", "/api/webhooks/" + id + "/deliveries", null)).isEmpty();

    // Enabled again, at another URL and for other events: delivered there.
    JsonNode on = sdk.updateWebhook(id, Map.of("enabled", true, "url", receiver.url("/sdk-moved"),
        "events", List.of("request.created", "request.denied")));
    assertThat(on.path("webhook").path("url").asText()).isEqualTo(receiver.url("/sdk-moved"));
    assertThat(on.path("webhook").path("events")).extracting(JsonNode::asText)
        .containsExactly("request.created", "request.denied");
    String second = sdk.request("sdk_enabled_hook").path("id").asText();
    assertThat(eventually(Duration.ofSeconds(15), () -> receiver.to("/sdk-moved").stream()
        .anyMatch(r -> r.body().contains(second)))).isTrue();
    assertThat(receiver.to("/sdk-off")).isEmpty();

    // Only the fields sent change; bad values are refused in AgentGate's error shape.
    assertThat(sdk.updateWebhook(id, Map.of()).path("webhook").path("url").asText())
        .isEqualTo(receiver.url("/sdk-moved"));
    for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("events", List.of()),
        Map.of("events", List.of("request.nope")), Map.of("url", "ftp://x/y"),
        Map.of("enabled", "yes"))) {
      SdkError e = sdkError(() -> sdk.updateWebhook(id, bad));
      assertThat(e.statusCode).as(bad.toString()).isEqualTo(400);
      assertThat(e.code).isEqualTo("bad_request");
    }
    SdkError missing = sdkError(() -> sdk.updateWebhook("wh_nope", Map.of("enabled", false)));
    assertThat(missing.statusCode).isEqualTo(404);
    assertThat(missing.getMessage()).isEqualTo("Webhook not found");
    assertThat(sdk.deleteWebhook(id)).isNull();
    assertThat(sdkError(() -> sdk.updateWebhook(id, Map.of("enabled", true))).statusCode)
        .isEqualTo(404);
  }

  @Test
  void updateWebhook_whenDisabledWithDeliveriesStillOwed_thenTheyAreGivenUp() {
    Sdk sdk = newOwner();
    receiver.answer(500);
    try {
      String id = sdk.createWebhook(receiver.url("/sdk-owed"), List.of("request.created"))
          .path("id").asText();
      sdk.request("sdk_owed");
      assertThat(eventually(Duration.ofSeconds(15), () -> !receiver.to("/sdk-owed").isEmpty())).isTrue();
      sdk.updateWebhook(id, Map.of("enabled", false));
      JsonNode delivery = sdk.fetch("GET", "/api/webhooks/" + id + "/deliveries", null).get(0);
      assertThat(delivery.path("status").asText()).isEqualTo("failed");
      assertThat(delivery.path("lastError").asText()).isEqualTo("webhook disabled");
      receiver.answer(200);
      int sent = receiver.to("/sdk-owed").size();
      // The retry (backoff starts at a second) finds the delivery given up and sends nothing.
      assertThat(eventually(Duration.ofSeconds(4), () -> receiver.to("/sdk-owed").size() > sent))
          .isFalse();
    } finally {
      receiver.answer(200);
    }
  }

  @Test
  void testWebhook_whenCalled_thenASignedTestEventIsPostedAndItsOutcomeReported() throws Exception {
    Sdk sdk = newOwner();
    JsonNode created = sdk.createWebhook(receiver.url("/sdk-test"), List.of("request.created"));
    String id = created.path("id").asText();
    String secret = created.path("secret").asText();

    JsonNode ok = sdk.testWebhook(id);
    assertThat(ok.path("success").asBoolean()).isTrue();
    assertThat(ok.path("status").asInt()).isEqualTo(200);
    assertThat(ok.path("message").asText()).isEqualTo("Test delivered successfully");
    assertThat(receiver.to("/sdk-test")).hasSize(1);
    CallbackReceiver.Received sent = receiver.to("/sdk-test").get(0);
    String ts = sent.header("X-AgentGate-Timestamp");
    assertThat(sent.header("X-AgentGate-Signature"))
        .isEqualTo("sha256=" + AgentGateTest.hmac(secret, ts + "." + sent.body()));
    JsonNode event = TestApp.JSON.readTree(sent.body());
    assertThat(event.path("event").asText()).isEqualTo("test");
    assertThat(event.path("data").path("webhookId").asText()).isEqualTo(id);
    assertThat(event.path("timestamp").asText()).isNotBlank();
    // Not a delivery: the delivery log stays empty.
    assertThat(sdk.fetch("GET", "/api/webhooks/" + id + "/deliveries", null)).isEmpty();

    // A disabled webhook may still be tested (that is how a receiver is checked before
    // switching it back on).
    sdk.updateWebhook(id, Map.of("enabled", false));
    assertThat(sdk.testWebhook(id).path("success").asBoolean()).isTrue();
    assertThat(receiver.to("/sdk-test")).hasSize(2);

    receiver.answer(500);
    try {
      JsonNode failed = sdk.testWebhook(id);
      assertThat(failed.path("success").asBoolean()).isFalse();
      assertThat(failed.path("status").asInt()).isEqualTo(500);
      assertThat(failed.path("message").asText()).contains("500");
    } finally {
      receiver.answer(200);
    }

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String deadId = sdk.createWebhook("http://127.0.0.1:" + closedPort + "/gone",
        List.of("*")).path("id").asText();
    JsonNode unreachable = sdk.testWebhook(deadId);
    assertThat(unreachable.path("success").asBoolean()).isFalse();
    assertThat(unreachable.has("status")).isFalse();
    assertThat(unreachable.path("message").asText()).startsWith("Delivery failed");

    assertThat(sdkError(() -> sdk.testWebhook("wh_nope")).getMessage()).isEqualTo("Webhook not found");
    sdk.deleteWebhook(deadId);
    assertThat(sdkError(() -> sdk.testWebhook(deadId)).statusCode).isEqualTo(404);
  }

  // --- audit ------------------------------------------------------------------------

  @Test
  void listAuditLogs_getAuditActors_whenFiltered_thenEntriesOfTheOwnerOnlyWithPagination() {
    Sdk sdk = newOwner();
    String first = sdk.request("sdk_audit_a").path("id").asText();
    sdk.fetch("POST", "/api/requests/" + first + "/decide",
        Map.of("decision", "denied", "reason", "no", "decidedBy", "alice@example.com"));
    String second = sdk.request("sdk_audit_b").path("id").asText();
    // Another owner's events are never in this owner's log.
    Sdk stranger = newOwner();
    String theirs = stranger.request("sdk_audit_theirs").path("id").asText();
    stranger.fetch("POST", "/api/requests/" + theirs + "/decide",
        Map.of("decision", "approved", "decidedBy", "mallory@example.com"));

    JsonNode all = sdk.listAuditLogs(Map.of());
    JsonNode entries = all.path("entries");
    assertThat(entries).isNotEmpty().allSatisfy(e -> {
      assertThat(e.path("id").isTextual()).isTrue();
      assertThat(e.path("requestId").asText()).isIn(first, second);
      assertThat(e.path("eventType").isTextual()).isTrue();
      assertThat(e.has("actor")).isTrue();
      assertThat(e.has("details")).isTrue();
      Instant.parse(e.path("createdAt").asText());
      JsonNode request = e.path("request");
      assertThat(request.path("id").asText()).isEqualTo(e.path("requestId").asText());
      assertThat(request.path("action").asText()).startsWith("sdk_audit_");
      assertThat(request.path("status").asText()).isIn("pending", "denied");
      assertThat(request.path("urgency").asText()).isEqualTo("normal");
    });
    List<Instant> times = new ArrayList<>();
    entries.forEach(e -> times.add(Instant.parse(e.path("createdAt").asText())));
    assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    JsonNode pagination = all.path("pagination");
    assertThat(pagination.path("total").asLong()).isEqualTo(entries.size());
    assertThat(pagination.path("limit").asInt()).isEqualTo(50);
    assertThat(pagination.path("offset").asInt()).isEqualTo(0);
    assertThat(pagination.path("hasMore").asBoolean()).isFalse();

    JsonNode denials = sdk.listAuditLogs(Map.of("eventType", "denied")).path("entries");
    assertThat(denials).singleElement().satisfies(e -> {
      assertThat(e.path("requestId").asText()).isEqualTo(first);
      assertThat(e.path("actor").asText()).isEqualTo("alice@example.com");
      assertThat(e.path("request").path("status").asText()).isEqualTo("denied");
    });
    assertThat(sdk.listAuditLogs(Map.of("actor", "alice@example.com")).path("entries")).hasSize(1);
    assertThat(sdk.listAuditLogs(Map.of("requestId", second)).path("entries"))
        .allSatisfy(e -> assertThat(e.path("requestId").asText()).isEqualTo(second))
        .extracting(e -> e.path("eventType").asText()).contains("created");

    JsonNode paged = sdk.listAuditLogs(Map.of("limit", 1, "offset", 1));
    assertThat(paged.path("entries")).hasSize(1);
    assertThat(paged.path("entries").get(0)).isEqualTo(entries.get(1));
    assertThat(paged.path("pagination").path("hasMore").asBoolean()).isEqualTo(entries.size() > 2);

    // Filters that match nothing are an empty list, never a 404.
    for (Map<String, Object> none : List.<Map<String, Object>>of(
        Map.of("requestId", "00000000-0000-4000-8000-000000000000"), Map.of("requestId", "nope"),
        Map.of("requestId", theirs), Map.of("actor", "mallory@example.com"),
        Map.of("eventType", "no_such_event"), Map.of("from", "2999-01-01"))) {
      JsonNode empty = sdk.listAuditLogs(none);
      assertThat(empty.path("entries")).as(none.toString()).isEmpty();
      assertThat(empty.path("pagination").path("total").asLong()).isZero();
    }
    // Dates as AgentGate's dashboard sends them cover the whole day (UTC).
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    assertThat(sdk.listAuditLogs(Map.of("from", today, "to", today)).path("entries"))
        .hasSize(entries.size());
    assertThat(sdkError(() -> sdk.listAuditLogs(Map.of("from", "yesterday"))).code)
        .isEqualTo("bad_request");

    JsonNode actors = sdk.getAuditActors().path("actors");
    List<String> names = new ArrayList<>();
    actors.forEach(a -> names.add(a.asText()));
    assertThat(names).contains("alice@example.com").doesNotContain("mallory@example.com")
        .doesNotHaveDuplicates().isSorted();
    Set<String> fromEntries = new java.util.HashSet<>();
    entries.forEach(e -> fromEntries.add(e.path("actor").asText()));
    assertThat(names).containsExactlyInAnyOrderElementsOf(fromEntries);
  }

  // --- keys -------------------------------------------------------------------------

  @Test
  void listApiKeys_createApiKey_revokeApiKey_thenKeysEnvelopeAtBothPaths() {
    Sdk sdk = newOwner();
    JsonNode created = sdk.createApiKey("sdk agent", List.of("request:create", "request:read"), null);
    assertThat(created.path("key").asText()).startsWith("agk_");
    assertThat(created.path("message").asText()).isNotBlank();
    assertThat(created.path("rateLimit").isNull()).isTrue();
    String id = created.path("id").asText();

    JsonNode keys = sdk.listApiKeys().path("keys");
    assertThat(keys).filteredOn(k -> k.path("id").asText().equals(id)).singleElement().satisfies(k -> {
      assertThat(k.path("name").asText()).isEqualTo("sdk agent");
      assertThat(k.path("scopes")).extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("request:create", "request:read");
      assertThat(k.path("active").asBoolean()).isTrue();
      assertThat(k.has("createdAt")).isTrue();
      assertThat(k.has("lastUsedAt")).isTrue();
      assertThat(k.path("revokedAt").isNull()).isTrue();
      assertThat(k.has("rateLimit")).isTrue();
      assertThat(k.has("key")).isFalse();
    });
    assertThat(sdk.fetch("GET", "/api/keys", null).path("keys")).extracting(k -> k.path("id").asText())
        .contains(id);

    assertThat(sdk.revokeApiKey(id)).isNull();
    assertThat(sdk.listApiKeys().path("keys")).filteredOn(k -> k.path("id").asText().equals(id))
        .singleElement().satisfies(k -> {
          assertThat(k.path("active").asBoolean()).isFalse();
          assertThat(k.path("revokedAt").isTextual()).isTrue();
        });
  }

  // --- scopes and tenancy -----------------------------------------------------------

  @Test
  void newCalls_whenScopesOrOwnersDiffer_thenScopedAndOtherOwnersSeeNothing() {
    Sdk owner = newOwner();
    String hook = owner.createWebhook(receiver.url("/sdk-tenancy"), List.of("*")).path("id").asText();
    String id = owner.request("sdk_tenancy").path("id").asText();

    Sdk reader = newOwner("request:read");
    Sdk manager = newOwner("webhook:manage");
    assertThat(sdkError(() -> reader.updateWebhook(hook, Map.of("enabled", false))).statusCode)
        .isEqualTo(403);
    assertThat(sdkError(() -> reader.testWebhook(hook)).statusCode).isEqualTo(403);
    assertThat(sdkError(() -> manager.listAuditLogs(Map.of())).statusCode).isEqualTo(403);
    assertThat(sdkError(() -> manager.getAuditActors()).statusCode).isEqualTo(403);

    // Another owner with the right scopes: the webhook is not found, the audit log is empty.
    SdkError patch = sdkError(() -> manager.updateWebhook(hook, Map.of("enabled", false)));
    assertThat(patch.statusCode).isEqualTo(404);
    assertThat(patch.code).isEqualTo("not_found");
    assertThat(sdkError(() -> manager.testWebhook(hook)).statusCode).isEqualTo(404);
    assertThat(reader.listAuditLogs(Map.of("requestId", id)).path("entries")).isEmpty();
    assertThat(reader.getAuditActors().path("actors")).isEmpty();
    assertThat(owner.listWebhooks().path("webhooks").get(0).path("enabled").asBoolean()).isTrue();
    assertThat(receiver.to("/sdk-tenancy")).noneMatch(r -> r.body().contains("\"event\":\"test\""));
  }
}
