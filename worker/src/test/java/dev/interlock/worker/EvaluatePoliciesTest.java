package dev.interlock.worker;

import static dev.interlock.worker.Interrupts.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.InterruptRow;
import dev.interlock.store.PolicyDao;
import dev.interlock.store.TestDatabase;
import dev.interlock.workflows.Decision;
import dev.interlock.workflows.PolicyOutcome;
import dev.interlock.workflows.PolicyRequest;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The evaluatePolicies activity against real policies in PostgreSQL. */
class EvaluatePoliciesTest {

  private Jdbi jdbi;
  private Interrupts interrupts;
  private InterruptActivitiesImpl activities;

  @BeforeEach
  void schema() {
    // A schema per test: the policies of one test must not decide another's interrupts.
    jdbi = TestDatabase.freshSchema(EvaluatePoliciesTest.class);
    interrupts = new Interrupts(jdbi);
    activities = ActivityHarness.newImpl(jdbi, new CallbackTargetGuard(true), Clock.systemUTC());
  }

  private void policy(String id, String name, String rules) {
    jdbi.useExtension(PolicyDao.class, dao -> dao.insert(id, "owner-1", name, 1, true,
        json(rules)));
  }

  @Test
  void givenRoutingRuleWithReviewersAndQuorum_whenEvaluated_thenStoredAndHandedToTheWorkflow() {
    policy("pol_big", "big-payments", """
        [{"match": {"params.amount": {"$gte": 1000}}, "decision": "route_to_human",
          "reviewers": ["finance", "alice"], "approvals": 2}]
        """);
    String id = interrupts.pendingQuorum("owner-1", 1, List.of("alice", "ops"));

    PolicyOutcome outcome = activities.evaluatePolicies(new PolicyRequest(id));

    assertThat(outcome).isEqualTo(PolicyOutcome.toHuman(List.of("finance", "alice"), 2));
    InterruptRow row = interrupts.row(id);
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.reviewers()).containsExactly("alice", "ops", "finance");
    assertThat(row.requiredApprovals()).isEqualTo(2);
    assertThat(interrupts.events(id, "policy.evaluated")).singleElement().satisfies(event -> {
      assertThat(event.actor()).isEqualTo("policy:big-payments");
      assertThat(event.details().path("actorId").asText()).isEqualTo("policy:pol_big");
      assertThat(event.details().path("approvals").asInt()).isEqualTo(2);
      assertThat(event.details().path("reviewers")).isEqualTo(json("[\"finance\",\"alice\"]"));
    });
  }

  @Test
  void givenRoutingRuleAskingForFewerThanTheInterrupt_whenEvaluated_thenTheCountIsKept() {
    policy("pol_one", "one", """
        [{"decision": "route_to_human", "approvals": 1}]""");
    String id = interrupts.pendingQuorum("owner-1", 3, List.of());

    activities.evaluatePolicies(new PolicyRequest(id));

    assertThat(interrupts.row(id).requiredApprovals()).isEqualTo(3);
  }

  @Test
  void givenAutoApproveRule_whenEvaluated_thenThePolicysNameAndIdAreTheActor() {
    String policyId = "pol_" + UUID.randomUUID();
    policy(policyId, "low-risk", """
        [{"decision": "auto_approve"}]""");
    String id = interrupts.pendingQuorum("owner-1", 1, List.of());

    PolicyOutcome outcome = activities.evaluatePolicies(new PolicyRequest(id));

    assertThat(outcome.decision()).isEqualTo(Decision.APPROVED);
    assertThat(outcome.actor()).isEqualTo("policy:low-risk");
    assertThat(outcome.actorId()).isEqualTo("policy:" + policyId);
    assertThat(outcome.reviewers()).isNull();
    assertThat(outcome.approvals()).isNull();
  }

  @Test
  void givenNoPolicy_whenEvaluated_thenToAPersonWithNothingStored() {
    String id = interrupts.pendingQuorum("owner-1", 1, List.of());

    assertThat(activities.evaluatePolicies(new PolicyRequest(id))).isEqualTo(PolicyOutcome.toHuman());
    assertThat(interrupts.row(id).requiredApprovals()).isEqualTo(1);
    assertThat(interrupts.row(id).reviewers()).isEmpty();
  }
}
