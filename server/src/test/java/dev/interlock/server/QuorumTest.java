package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.Approval;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.service.CreateInterrupt;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.Urgency;
import dev.interlock.workflows.Decision;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts that several people must approve, through the core service as every dialect
 * calls it, on the embedded stack: who decided is recorded by name and by id, a quorum
 * counts people, the first rejection settles, and policies can ask for a quorum.
 */
class QuorumTest {

  @TempDir static Path data;
  static TestApp app;

  /** Two people's keys in the admin workspace: different ids, readable names. */
  static final Caller ALICE = Caller.key("k-alice", "admin", "alice's key", Set.of(Scopes.ADMIN),
      null);
  static final Caller BOB = Caller.key("k-bob", "admin", "bob's key", Set.of(Scopes.ADMIN), null);

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  static CreateInterrupt payment(int required) {
    return CreateInterrupt.approval("loopin", "agent-q", "user-q", "Pay invoice 4711",
            TestApp.JSON.createObjectNode(), TestApp.JSON.createObjectNode().put("amount", 4200),
            Urgency.HIGH, Instant.now().plusSeconds(3600), null, null)
        .withQuorum(List.of("finance"), required);
  }

  @Test
  void givenTwoRequired_whenTwoPeopleApprove_thenTheFirstIsRecordedAndTheSecondSettlesIt() {
    InterruptService interrupts = app.interrupts();
    String id = interrupts.create(ALICE, payment(2)).interrupt().id();

    InterruptRow afterAlice = interrupts.decide(ALICE, id, Decision.APPROVED, "fine", null, null);

    assertThat(afterAlice.status()).isEqualTo("pending");
    assertThat(afterAlice.requiredApprovals()).isEqualTo(2);
    assertThat(afterAlice.reviewers()).containsExactly("finance");
    assertThat(afterAlice.approvals()).extracting(Approval::approverId, Approval::approver)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("key:k-alice", "alice's key"));
    assertThat(afterAlice.decidedBy()).isNull();

    InterruptRow settled = interrupts.decide(BOB, id, Decision.APPROVED, "ship it", null, null);

    assertThat(settled.status()).isEqualTo("approved");
    assertThat(settled.reason()).isEqualTo("ship it");
    assertThat(settled.decidedBy()).isEqualTo("bob's key");
    assertThat(settled.decidedById()).isEqualTo("key:k-bob");
    assertThat(settled.approvals()).extracting(Approval::approverId)
        .containsExactly("key:k-alice", "key:k-bob");
    // The audit trail: names where people read, ids in the details.
    List<InterruptEventRow> events = interrupts.events(BOB, id);
    assertThat(events).extracting(InterruptEventRow::event)
        .containsExactly("created", "approval.recorded", "approved");
    assertThat(events).extracting(InterruptEventRow::actor)
        .containsExactly("alice's key", "alice's key", "bob's key");
    assertThat(events).extracting(e -> e.details().path("actorId").asText())
        .containsExactly("key:k-alice", "key:k-alice", "key:k-bob");
    assertThat(events.get(1).details().path("approvals").asInt()).isEqualTo(1);
    assertThat(events.get(1).details().path("required").asInt()).isEqualTo(2);
  }

  @Test
  void givenOneApproval_whenTheSameCallerApprovesAgain_thenConflictAndStillPending() {
    InterruptService interrupts = app.interrupts();
    String id = interrupts.create(ALICE, payment(2)).interrupt().id();
    interrupts.decide(ALICE, id, Decision.APPROVED, null, null, null);

    // Another name chosen for the decision (AgentGate's decidedBy) is still the same caller.
    assertThatThrownBy(() -> interrupts.decideAs(ALICE, "someone else", id, Decision.APPROVED,
        null, null, null, null))
        .isInstanceOfSatisfying(Conflict.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.getMessage()).isEqualTo("You have already approved this interrupt");
        });

    InterruptRow row = interrupts.get(ALICE, id);
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.approvals()).hasSize(1);
  }

  @Test
  void givenOneApproval_whenSomeoneRejects_thenRejectedAtOnce() {
    InterruptService interrupts = app.interrupts();
    String id = interrupts.create(ALICE, payment(3)).interrupt().id();
    interrupts.decide(ALICE, id, Decision.APPROVED, null, null, null);

    InterruptRow rejected = interrupts.decide(BOB, id, Decision.REJECTED, "too much", null, null);

    assertThat(rejected.status()).isEqualTo("rejected");
    assertThat(rejected.decidedBy()).isEqualTo("bob's key");
    assertThat(rejected.decidedById()).isEqualTo("key:k-bob");
    assertThat(rejected.approvals()).extracting(Approval::approverId)
        .containsExactly("key:k-alice");
    assertThatThrownBy(() -> interrupts.decide(ALICE, id, Decision.APPROVED, null, null, null))
        .isInstanceOf(Conflict.class).hasMessage("Interrupt is already rejected");
  }

  @Test
  void givenOneApprovalRequired_whenApproved_thenSettledAtOnceWithNoApprovalRecorded() {
    InterruptService interrupts = app.interrupts();
    String id = interrupts.create(ALICE, payment(1)).interrupt().id();

    InterruptRow approved = interrupts.decide(BOB, id, Decision.APPROVED, null, null, null);

    assertThat(approved.status()).isEqualTo("approved");
    assertThat(approved.decidedById()).isEqualTo("key:k-bob");
    assertThat(approved.approvals()).isEmpty();
  }

  @Test
  void givenRoutingPolicyWithReviewersAndQuorum_whenTwoKeysApproveOverHttp_thenItTakesBoth() {
    Resp policy = app.post("/api/policies", ADMIN_KEY, Map.of("name", "two-for-big-payments",
        "rules", List.of(Map.of("match", Map.of("params.amount", Map.of("$gte", 1000)),
            "decision", "route_to_human", "reviewers", List.of("finance", "alice"),
            "approvals", 2))));
    assertThat(policy.status()).as(policy.raw().body()).isEqualTo(201);
    try {
      String first = app.keyFor("admin");
      String second = app.keyFor("admin");
      Resp created = app.post("/api/requests", ADMIN_KEY, Map.of("action", "pay_vendor",
          "params", Map.of("amount", 5000)));
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      assertThat(created.text("status")).isEqualTo("pending");
      String id = created.text("id");
      InterruptRow stored = app.interrupts().get(BOB, id);
      assertThat(stored.reviewers()).containsExactly("finance", "alice");
      assertThat(stored.requiredApprovals()).isEqualTo(2);

      Resp once = app.post("/api/requests/" + id + "/decide", first,
          Map.of("decision", "approved"));
      assertThat(once.status()).as(once.raw().body()).isEqualTo(200);
      assertThat(once.text("status")).isEqualTo("pending");
      Resp again = app.post("/api/requests/" + id + "/decide", first,
          Map.of("decision", "approved"));
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.body().path("error").path("message").asText())
          .isEqualTo("You have already approved this interrupt");
      Resp twice = app.post("/api/requests/" + id + "/decide", second,
          Map.of("decision", "approved"));
      assertThat(twice.status()).as(twice.raw().body()).isEqualTo(200);
      assertThat(twice.text("status")).isEqualTo("approved");
      assertThat(twice.text("decidedBy")).isEqualTo("test key of admin");
    } finally {
      app.delete("/api/policies/" + policy.text("id"), ADMIN_KEY);
    }
  }

  @Test
  void givenRoutingPolicyWithBadQuorum_whenWritten_thenRefusedWithTheReason() {
    Resp r = app.post("/api/policies", ADMIN_KEY, Map.of("name", "bad-quorum", "rules",
        List.of(Map.of("decision", "auto_approve", "approvals", 2))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("error").path("message").asText())
        .isEqualTo("rules[0].approvals is only allowed when decision is route_to_human");
    Resp tooMany = app.post("/api/policies", ADMIN_KEY, Map.of("name", "bad-quorum", "rules",
        List.of(Map.of("decision", "route_to_human", "approvals", 11))));
    assertThat(tooMany.status()).isEqualTo(400);
    JsonNode error = tooMany.body().path("error");
    assertThat(error.path("message").asText())
        .isEqualTo("rules[0].approvals must be a whole number from 1 to 10");
  }
}
