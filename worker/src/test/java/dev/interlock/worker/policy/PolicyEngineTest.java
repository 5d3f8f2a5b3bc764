package dev.interlock.worker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyEngineTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String REQUEST = """
      {"action":"send_email","urgency":"normal",
       "params":{"to":"customer@example.com","amount":250,"nested":{"level":3},"tags":["a"]},
       "context":{"orderId":"12345","env":"prod","since":"2024-01-15"}}
      """;

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Policy policy(String id, int priority, boolean enabled, String rules) {
    return new Policy(id, "policy-" + id, priority, enabled, json(rules), 1);
  }

  static Stream<Arguments> matchers() {
    return Stream.of(
        Arguments.of("{\"action\":\"send_email\"}", true),
        Arguments.of("{\"action\":\"delete_db\"}", false),
        Arguments.of("{\"urgency\":\"normal\"}", true),
        Arguments.of("{\"params.to\":\"customer@example.com\"}", true),
        Arguments.of("{\"params.nested.level\":3}", true),
        Arguments.of("{\"params.nested.level\":3.0}", true),
        Arguments.of("{\"params.missing\":\"x\"}", false),
        Arguments.of("{\"context.orderId\":\"12345\"}", true),
        Arguments.of("{\"context.orderId\":12345}", false),
        Arguments.of("{\"params.amount\":{\"$lt\":1000}}", true),
        Arguments.of("{\"params.amount\":{\"$lt\":250}}", false),
        Arguments.of("{\"params.amount\":{\"$lte\":250}}", true),
        Arguments.of("{\"params.amount\":{\"$gt\":100}}", true),
        Arguments.of("{\"params.amount\":{\"$gt\":250}}", false),
        Arguments.of("{\"params.amount\":{\"$gte\":250}}", true),
        Arguments.of("{\"params.amount\":{\"$gt\":100,\"$lt\":200}}", false),
        Arguments.of("{\"params.amount\":{\"$gt\":\"100\"}}", false),
        Arguments.of("{\"params.to\":{\"$gt\":5}}", false),
        Arguments.of("{\"params.to\":{\"$lte\":5}}", false),
        Arguments.of("{\"context.since\":{\"$gte\":\"2024-01-01\"}}", true),
        Arguments.of("{\"context.env\":{\"$in\":[\"staging\",\"prod\"]}}", true),
        Arguments.of("{\"context.env\":{\"$in\":[\"dev\"]}}", false),
        Arguments.of("{\"params.amount\":{\"$in\":[250.0]}}", true),
        Arguments.of("{\"params.to\":{\"$regex\":\"@example\\\\.com$\"}}", true),
        Arguments.of("{\"params.to\":{\"$regex\":\"^admin@\"}}", false),
        Arguments.of("{\"params.missing\":{\"$regex\":\".*\"}}", false),
        Arguments.of("{\"action\":\"send_email\",\"context.env\":\"dev\"}", false),
        Arguments.of("{\"action\":\"send_email\",\"context.env\":\"prod\"}", true),
        Arguments.of("{}", true));
  }

  @ParameterizedTest
  @MethodSource("matchers")
  void givenMatcher_thenMatchesAsSpecified(String match, boolean expected) {
    assertThat(PolicyEngine.matches(json(match), json(REQUEST))).isEqualTo(expected);
  }

  @Test
  void givenPolicies_thenLowestPriorityFirstAndFirstMatchingRuleWins() {
    var late = policy("late", 20, true, "[{\"match\":{\"action\":\"send_email\"},\"decision\":\"auto_deny\"}]");
    var early = policy("early", 10, true, """
        [{"match":{"action":"other"},"decision":"auto_deny"},
         {"match":{"action":"send_email"},"decision":"auto_approve"},
         {"match":{},"decision":"auto_deny"}]""");
    PolicyMatch m = PolicyEngine.evaluate(List.of(late, early), json(REQUEST));
    assertThat(m.decision()).isEqualTo(PolicyDecision.AUTO_APPROVE);
    assertThat(m.policyId()).isEqualTo("early");
    assertThat(m.ruleIndex()).isEqualTo(1);
  }

  @Test
  void givenDisabledPolicy_thenSkipped() {
    var disabled = policy("off", 1, false, "[{\"match\":{},\"decision\":\"auto_approve\"}]");
    var on = policy("on", 5, true, "[{\"match\":{\"urgency\":\"normal\"},\"decision\":\"auto_deny\"}]");
    assertThat(PolicyEngine.evaluate(List.of(disabled, on), json(REQUEST)).policyId()).isEqualTo("on");
    assertThat(PolicyEngine.evaluate(List.of(disabled), json(REQUEST)).matched()).isFalse();
  }

  @Test
  void givenNoMatch_thenRouteToHuman() {
    var p = policy("p", 1, true, "[{\"match\":{\"action\":\"x\"},\"decision\":\"auto_approve\"}]");
    PolicyMatch m = PolicyEngine.evaluate(List.of(p), json(REQUEST));
    assertThat(m.decision()).isEqualTo(PolicyDecision.ROUTE_TO_HUMAN);
    assertThat(m.matched()).isFalse();
  }

  @Test
  void givenExplicitRouteToHumanRule_thenItStopsEvaluation() {
    var first = policy("a", 1, true, "[{\"match\":{},\"decision\":\"route_to_human\"}]");
    var second = policy("b", 2, true, "[{\"match\":{},\"decision\":\"auto_approve\"}]");
    PolicyMatch m = PolicyEngine.evaluate(List.of(first, second), json(REQUEST));
    assertThat(m.decision()).isEqualTo(PolicyDecision.ROUTE_TO_HUMAN);
    assertThat(m.policyId()).isEqualTo("a");
  }

  @Test
  void givenCatastrophicRegexOnShortValue_thenNoMatchQuickly() {
    String evil = "{\"params.to\":{\"$regex\":\"^(a+)+$\"}}";
    String request = "{\"params\":{\"to\":\"" + "a".repeat(40) + "!\"}}";
    long started = System.nanoTime();
    boolean matched = PolicyEngine.matches(json(evil), json(request));
    assertThat(matched).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
  }

  /** A value just inside the input bound: a backtracking engine needs ~2^4000 steps here. */
  static final String LONG_AS_THEN_B = "a".repeat(PolicyEngine.MAX_REGEX_INPUT - 1) + "b";

  static Stream<Arguments> catastrophicPatterns() {
    return Stream.of(
        Arguments.of("(a+)+$", false),
        Arguments.of("^(a|aa)+$", false),
        // The first branch backtracks at every position before the second can match, so an
        // engine that gives up after a step budget answers "no match" here, wrongly.
        Arguments.of("(a+)+c|ab$", true),
        Arguments.of("^(a+)+b$", true));
  }

  @ParameterizedTest
  @MethodSource("catastrophicPatterns")
  void givenCatastrophicBacktrackingPattern_whenMatchedAgainstLongValue_thenAnswersCorrectly(
      String pattern, boolean expected) {
    JsonNode match = JSON.createObjectNode().set("params.to",
        JSON.createObjectNode().put("$regex", pattern));
    JsonNode request = JSON.createObjectNode().set("params",
        JSON.createObjectNode().put("to", LONG_AS_THEN_B));

    assertThat(PolicyEngine.matches(match, request)).isEqualTo(expected);
  }

  @Test
  void givenSamePatternTwice_thenCompiledOnce() {
    String pattern = "^compiled-once-[0-9]+$";

    assertThat(PolicyEngine.compiled(pattern).orElseThrow())
        .isSameAs(PolicyEngine.compiled(pattern).orElseThrow());
  }

  @Test
  void givenMorePatternsThanTheCacheHolds_thenCacheStaysBounded() {
    for (int i = 0; i <= PolicyEngine.MAX_COMPILED; i++) {
      PolicyEngine.compiled("bounded-" + i);
    }

    assertThat(PolicyEngine.compiledCount()).isLessThanOrEqualTo(PolicyEngine.MAX_COMPILED);
    assertThat(PolicyEngine.regex("bounded-7", JSON.getNodeFactory().textNode("x bounded-7 y")))
        .isTrue();
  }

  @Test
  void givenStoredPatternRe2Refuses_whenEvaluated_thenAPersonDecidesNotALaterRule() {
    // Only a policy stored before RE2 validation can hold one. Skipping its auto_deny would
    // let the later auto_approve through: the evaluation stops and routes to a person.
    List<Policy> policies = List.of(
        policy("deny", 1, true,
            "[{\"match\":{\"action\":{\"$regex\":\"(send)_\\\\1\"}},\"decision\":\"auto_deny\"}]"),
        policy("approve", 2, true, "[{\"match\":{},\"decision\":\"auto_approve\"}]"));
    PolicyMatch match = PolicyEngine.evaluate(policies, json(REQUEST));
    assertThat(match.decision()).isEqualTo(PolicyDecision.ROUTE_TO_HUMAN);
    assertThat(match.matched()).isFalse();
  }

  static Stream<Arguments> invalidRules() {
    return Stream.of(
        Arguments.of("{}", "rules must be an array"),
        Arguments.of("[1]", "rules[0] must be an object"),
        Arguments.of("[{\"match\":{}}]", "rules[0].decision is required"),
        Arguments.of("[{\"decision\":\"maybe\"}]", "rules[0].decision must be one of"),
        Arguments.of("[{\"match\":[],\"decision\":\"auto_deny\"}]", "rules[0].match must be an object"),
        Arguments.of("[{\"match\":{\"user\":\"x\"},\"decision\":\"auto_deny\"}]", "unknown field 'user'"),
        Arguments.of("[{\"match\":{\"action\":{\"$nope\":1}},\"decision\":\"auto_deny\"}]", "unknown operator $nope"),
        Arguments.of("[{\"match\":{\"action\":{\"$in\":\"x\"}},\"decision\":\"auto_deny\"}]", "$in must be an array"),
        Arguments.of("[{\"match\":{\"action\":{\"$regex\":\"(\"}},\"decision\":\"auto_deny\"}]", "not a valid regular expression"),
        // RE2 has no backreferences and no lookaround: refused when written, with the reason.
        Arguments.of("[{\"match\":{\"action\":{\"$regex\":\"(a)\\\\1\"}},\"decision\":\"auto_deny\"}]",
            "rules[0].match.action.$regex is not a valid regular expression (invalid escape sequence: `\\1`); RE2 syntax is supported, without backreferences, lookahead or lookbehind"),
        Arguments.of("[{\"match\":{\"action\":{\"$regex\":\"^(?!admin)\"}},\"decision\":\"auto_deny\"}]",
            "without backreferences, lookahead or lookbehind"),
        Arguments.of("[{\"match\":{\"action\":{\"$lt\":[]}},\"decision\":\"auto_deny\"}]", "must be a number or a string"),
        // Reviewers and a quorum: only where a person decides, and bounded.
        Arguments.of("[{\"decision\":\"auto_approve\",\"reviewers\":[\"finance\"]}]",
            "rules[0].reviewers is only allowed when decision is route_to_human"),
        Arguments.of("[{\"decision\":\"auto_deny\",\"approvals\":2}]",
            "rules[0].approvals is only allowed when decision is route_to_human"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"reviewers\":\"finance\"}]",
            "rules[0].reviewers must be an array of reviewer group names or usernames"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"reviewers\":[\"a\",1]}]",
            "rules[0].reviewers[1] must be a non-empty string of at most 100 characters"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"reviewers\":[\" \"]}]",
            "rules[0].reviewers[0] must be a non-empty string"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"reviewers\":[\"" + "x".repeat(101) + "\"]}]",
            "rules[0].reviewers[0] must be a non-empty string of at most 100 characters"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"reviewers\":"
            + JSON.valueToTree(java.util.Collections.nCopies(21, "r")) + "}]",
            "rules[0].reviewers may name at most 20 reviewers"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"approvals\":0}]",
            "rules[0].approvals must be a whole number from 1 to 10"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"approvals\":11}]",
            "rules[0].approvals must be a whole number from 1 to 10"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"approvals\":1.5}]",
            "rules[0].approvals must be a whole number from 1 to 10"),
        Arguments.of("[{\"decision\":\"route_to_human\",\"approvals\":\"2\"}]",
            "rules[0].approvals must be a whole number from 1 to 10"));
  }

  @Test
  void givenRoutingRuleWithReviewersAndQuorum_whenValidatedAndMatched_thenTheMatchCarriesThem() {
    JsonNode rules = json("""
        [{"match":{"params.amount":{"$gte":100}},"decision":"route_to_human",
          "reviewers":["finance","alice",  "finance"],"approvals":2},
         {"decision":"route_to_human","reviewers":null,"approvals":null}]""");
    assertThatCode(() -> PolicyEngine.validate(rules)).doesNotThrowAnyException();
    List<Policy> policies = List.of(new Policy("p", "payments", 1, true, rules, 4));

    PolicyMatch big = PolicyEngine.evaluate(policies, json(REQUEST));
    PolicyMatch small = PolicyEngine.evaluate(policies, json("{\"params\":{\"amount\":5}}"));

    assertThat(big).isEqualTo(new PolicyMatch(PolicyDecision.ROUTE_TO_HUMAN, "p", "payments", 4,
        0, List.of("finance", "alice"), 2));
    assertThat(small).isEqualTo(new PolicyMatch(PolicyDecision.ROUTE_TO_HUMAN, "p", "payments", 4,
        1, null, null));
  }

  @Test
  void givenStoredRuleWithUnusableQuorum_whenMatched_thenWhatIsUnusableIsLeftOut() {
    // Rules stored before these fields were validated may hold anything.
    JsonNode rules = json("""
        [{"decision":"route_to_human","reviewers":["ok", 7, ""],"approvals":50}]""");
    PolicyMatch match = PolicyEngine.evaluate(List.of(new Policy("p", "old", 1, true, rules, 1)),
        json(REQUEST));
    assertThat(match.reviewers()).containsExactly("ok");
    assertThat(match.approvals()).isNull();
  }

  @ParameterizedTest
  @MethodSource("invalidRules")
  void givenInvalidRules_thenRejectedWithReason(String rules, String message) {
    assertThatThrownBy(() -> PolicyEngine.validate(json(rules)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void givenValidRulesWithACatchAllWithoutMatch_thenAcceptedAndTheCatchAllTakesTheRest() {
    JsonNode rules = json("""
        [{"match":{"action":"send_notification","params.amount":{"$lt":100},"context.env":{"$in":["dev"]}},
          "decision":"auto_approve"},
         {"decision":"route_to_human"}]""");
    assertThatCode(() -> PolicyEngine.validate(rules)).doesNotThrowAnyException();
    List<Policy> policies = List.of(new Policy("p", "notifications", 1, true, rules, 3));

    PolicyMatch small = PolicyEngine.evaluate(policies, json("""
        {"action":"send_notification","params":{"amount":99},"context":{"env":"dev"}}"""));
    PolicyMatch large = PolicyEngine.evaluate(policies, json("""
        {"action":"send_notification","params":{"amount":100},"context":{"env":"dev"}}"""));

    assertThat(small).isEqualTo(
        new PolicyMatch(PolicyDecision.AUTO_APPROVE, "p", "notifications", 3, 0, null, null));
    // A rule without "match" matches everything: an explicit route to a person, which (unlike
    // no match at all) names the policy and rule that decided.
    assertThat(large).isEqualTo(
        new PolicyMatch(PolicyDecision.ROUTE_TO_HUMAN, "p", "notifications", 3, 1, null, null));
    assertThat(large.matched()).isTrue();
  }
}
