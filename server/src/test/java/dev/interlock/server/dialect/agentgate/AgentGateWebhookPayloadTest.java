package dev.interlock.server.dialect.agentgate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.interlock.model.InterruptRow;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The webhook payload exactly as the AgentGate dialect builds it for the store, field order
 * and nulls included: PostgreSQL's jsonb keeps neither order nor duplicates, so the end-to-end
 * tests cannot see them; this pins what the dialect hands over.
 */
class AgentGateWebhookPayloadTest {

  private static final ObjectMapper JSON = Jackson.newObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678901Z");

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static InterruptRow row(JsonNode context, JsonNode params, String status,
      String decidedBy, String reason, Instant decidedAt, JsonNode options, Instant confirmedAt,
      JsonNode confirmResult) {
    return new InterruptRow("7f0c1a52-1d1e-4a55-9a57-5b1f2e3d4c5b", "owner-1", "agentgate",
        "agent-1", "user-1", "send_email", context, params, "high", status,
        decidedAt == null ? null : status, reason, null, decidedBy, null, T0,
        T0.plusSeconds(3600), decidedAt, null, null, null, "approval", options, null, null,
        confirmedAt, confirmResult, null, java.util.List.of(), 1, java.util.List.of(), null);
  }

  private static String payload(String event, InterruptRow row) throws Exception {
    return JSON.writeValueAsString(
        new AgentGateDialect(JSON).webhookPayload(event, row, T0.plusSeconds(10)));
  }

  @Test
  void givenAPendingRequest_thenEveryFieldInOrderWithNulls() throws Exception {
    assertThat(payload("request.created", row(json("{\"b\":1,\"a\":[true,null]}"),
        json("{\"to\":\"x@example.com\",\"n\":1.5}"), "pending", null, null, null, null, null,
        null))).isEqualTo(
        """
        {"event":"request.created","data":{"request":{"id":"7f0c1a52-1d1e-4a55-9a57-5b1f2e3d4c5b","action":"send_email","params":{"to":"x@example.com","n":1.5},"context":{"b":1,"a":[true,null]},"status":"pending","urgency":"high","decidedBy":null,"decisionReason":null,"createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-01-02T03:04:05.678Z","decidedAt":null,"expiresAt":"2026-01-02T04:04:05.678Z","confirmedAt":null}},"timestamp":"2026-01-02T03:04:15.678Z"}""");
  }

  @Test
  void givenAConfirmedRequest_thenExecutionResultLast() throws Exception {
    assertThat(payload("request.confirmed", row(json("{}"), json("{}"), "approved", "alice",
        "fine", T0.plusSeconds(5), null, T0.plusSeconds(6), json("{\"ok\":true}")))).isEqualTo(
        """
        {"event":"request.confirmed","data":{"request":{"id":"7f0c1a52-1d1e-4a55-9a57-5b1f2e3d4c5b","action":"send_email","params":{},"context":{},"status":"approved","urgency":"high","decidedBy":"alice","decisionReason":"fine","createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-01-02T03:04:11.678Z","decidedAt":"2026-01-02T03:04:10.678Z","expiresAt":"2026-01-02T04:04:05.678Z","confirmedAt":"2026-01-02T03:04:11.678Z","executionResult":{"ok":true}}},"timestamp":"2026-01-02T03:04:15.678Z"}""");
  }

  @Test
  void givenADeniedRequestThroughAnotherDoor_thenParamsAnObjectAndOptionsInContext()
      throws Exception {
    assertThat(payload("request.denied", row(null, null, "rejected", "bob", null,
        T0.plusSeconds(5), json("[\"Yes\",\"No\"]"), null, null))).isEqualTo(
        """
        {"event":"request.denied","data":{"request":{"id":"7f0c1a52-1d1e-4a55-9a57-5b1f2e3d4c5b","action":"send_email","params":{},"context":{"options":["Yes","No"]},"status":"denied","urgency":"high","decidedBy":"bob","decisionReason":null,"createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-01-02T03:04:10.678Z","decidedAt":"2026-01-02T03:04:10.678Z","expiresAt":"2026-01-02T04:04:05.678Z","confirmedAt":null}},"timestamp":"2026-01-02T03:04:15.678Z"}""");
  }

  @Test
  void givenAConfirmResultOfJsonNull_thenExecutionResultIsNull() throws Exception {
    assertThat(payload("request.confirmed", row(json("{\"k\":\"v\"}"), json("[1]"), "approved",
        "carol", null, T0.plusSeconds(5), null, T0.plusSeconds(6), NullNode.getInstance())))
        .isEqualTo("""
        {"event":"request.confirmed","data":{"request":{"id":"7f0c1a52-1d1e-4a55-9a57-5b1f2e3d4c5b","action":"send_email","params":{},"context":{"k":"v"},"status":"approved","urgency":"high","decidedBy":"carol","decisionReason":null,"createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-01-02T03:04:11.678Z","decidedAt":"2026-01-02T03:04:10.678Z","expiresAt":"2026-01-02T04:04:05.678Z","confirmedAt":"2026-01-02T03:04:11.678Z","executionResult":null}},"timestamp":"2026-01-02T03:04:15.678Z"}""");
  }
}
