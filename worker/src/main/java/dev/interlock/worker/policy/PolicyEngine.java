package dev.interlock.worker.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AgentGate's policy language. Policies are tried by priority (lowest first), their rules
 * in order; the first rule whose {@code match} holds decides; no match routes the request
 * to a human. A {@code match} maps paths ({@code action}, {@code urgency},
 * {@code params.x.y}, {@code context.x}) to an exact value or to operators
 * {@code $lt $gt $lte $gte $in $regex}; every entry must hold. Regular expressions use
 * RE2 syntax and run on RE2/J, whose matching time is linear in the input, so no pattern can
 * hang the evaluation (ReDoS); the price is that RE2 has no backreferences or lookaround,
 * which {@link #validate} refuses when a policy is written.
 *
 * <p>A {@code route_to_human} rule may also say whom to ask ({@code reviewers}: reviewer
 * group names or usernames) and how many must approve ({@code approvals}, a quorum); the
 * interrupt is then stored with them and its workflow waits for that many approvals.
 */
public final class PolicyEngine {

  private static final Logger log = LoggerFactory.getLogger(PolicyEngine.class);

  static final int MAX_PATTERN = 256;
  static final int MAX_REGEX_INPUT = 4096;
  /** Compiled patterns by pattern text, so a policy's regex is compiled once, not per request. */
  private static final ConcurrentHashMap<String, Optional<Pattern>> COMPILED =
      new ConcurrentHashMap<>();
  /** Enough for every pattern of many owners' policies; past it the cache starts again. */
  static final int MAX_COMPILED = 1024;
  static final Set<String> OPERATORS = Set.of("$lt", "$gt", "$lte", "$gte", "$in", "$regex");
  private static final int MAX_RULES = 100;
  /** At most this many reviewers per rule, each a name of at most this many characters. */
  static final int MAX_REVIEWERS = 20;
  static final int MAX_REVIEWER_LENGTH = 100;
  /** A quorum is 1 to this many approvals (the store's check says the same). */
  static final int MAX_APPROVALS = 10;

  private PolicyEngine() {}

  /**
   * Evaluates the enabled policies against a request document
   * {@code {action, urgency, params, context}}.
   */
  public static PolicyMatch evaluate(List<Policy> policies, JsonNode request) {
    List<Policy> ordered = policies.stream().filter(Policy::enabled)
        .sorted(Comparator.comparingInt(Policy::priority)).toList();
    for (Policy policy : ordered) {
      int index = 0;
      for (JsonNode rule : policy.rules()) {
        boolean matched;
        try {
          matched = matches(rule.path("match"), request);
        } catch (UnusablePattern e) {
          // Fail closed: skipping the rule could let a later auto_approve through where this
          // one (say an auto_deny) was meant to hold. A person decides instead.
          log.warn("policy {} rule {} has a regex RE2 cannot run ({}): the request goes to a"
              + " person", policy.name(), index, e.getMessage());
          return PolicyMatch.noMatch();
        }
        if (matched) {
          PolicyDecision decision = PolicyDecision.fromWire(rule.path("decision").asText());
          return decision.routesToHuman()
              ? new PolicyMatch(decision, policy.id(), policy.name(), policy.version(), index,
                  reviewers(policy, index, rule), approvals(policy, index, rule))
              : new PolicyMatch(decision, policy.id(), policy.name(), policy.version(), index,
                  null, null);
        }
        index++;
      }
    }
    return PolicyMatch.noMatch();
  }

  /** Checks a policy's rules before they are stored; the message is safe to show. */
  public static void validate(JsonNode rules) {
    if (rules == null || !rules.isArray()) {
      throw new IllegalArgumentException("rules must be an array");
    }
    if (rules.size() > MAX_RULES) {
      throw new IllegalArgumentException("a policy may have at most " + MAX_RULES + " rules");
    }
    int i = 0;
    for (JsonNode rule : rules) {
      String where = "rules[" + i++ + "]";
      if (!rule.isObject()) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      JsonNode decision = rule.get("decision");
      if (decision == null || !decision.isTextual()) {
        throw new IllegalArgumentException(where + ".decision is required");
      }
      PolicyDecision parsed;
      try {
        parsed = PolicyDecision.fromWire(decision.asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ".decision must be one of auto_approve,"
            + " auto_deny, route_to_human");
      }
      validateRouting(where, rule, parsed);
      JsonNode match = rule.get("match");
      if (match == null || match.isNull()) {
        continue; // matches everything
      }
      if (!match.isObject()) {
        throw new IllegalArgumentException(where + ".match must be an object");
      }
      Iterator<Map.Entry<String, JsonNode>> fields = match.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        validatePath(where, f.getKey());
        validateCondition(where + ".match." + f.getKey(), f.getValue());
      }
    }
  }

  /** {@code reviewers} and {@code approvals}: only on a route_to_human rule, and bounded. */
  private static void validateRouting(String where, JsonNode rule, PolicyDecision decision) {
    JsonNode reviewers = rule.get("reviewers");
    JsonNode approvals = rule.get("approvals");
    boolean hasReviewers = reviewers != null && !reviewers.isNull();
    boolean hasApprovals = approvals != null && !approvals.isNull();
    if ((hasReviewers || hasApprovals) && !decision.routesToHuman()) {
      throw new IllegalArgumentException(where + "." + (hasReviewers ? "reviewers" : "approvals")
          + " is only allowed when decision is route_to_human");
    }
    if (hasReviewers) {
      if (!reviewers.isArray()) {
        throw new IllegalArgumentException(where + ".reviewers must be an array of reviewer"
            + " group names or usernames");
      }
      if (reviewers.size() > MAX_REVIEWERS) {
        throw new IllegalArgumentException(where + ".reviewers may name at most "
            + MAX_REVIEWERS + " reviewers");
      }
      for (int i = 0; i < reviewers.size(); i++) {
        JsonNode name = reviewers.get(i);
        if (!name.isTextual() || name.asText().isBlank()
            || name.asText().length() > MAX_REVIEWER_LENGTH) {
          throw new IllegalArgumentException(where + ".reviewers[" + i + "] must be a"
              + " non-empty string of at most " + MAX_REVIEWER_LENGTH + " characters");
        }
      }
    }
    if (hasApprovals && !validApprovals(approvals)) {
      throw new IllegalArgumentException(where + ".approvals must be a whole number from 1 to "
          + MAX_APPROVALS);
    }
  }

  private static boolean validApprovals(JsonNode approvals) {
    return approvals.isIntegralNumber() && approvals.canConvertToInt()
        && approvals.asInt() >= 1 && approvals.asInt() <= MAX_APPROVALS;
  }

  /**
   * The reviewers of a matching routing rule, each once; null when it names none. Rules
   * are validated when written, but one stored before these fields were may hold anything:
   * what is not a usable name is left out.
   */
  private static List<String> reviewers(Policy policy, int index, JsonNode rule) {
    JsonNode reviewers = rule.get("reviewers");
    if (reviewers == null || !reviewers.isArray() || reviewers.isEmpty()) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (JsonNode name : reviewers) {
      String text = name.isTextual() ? name.asText().trim() : "";
      if (text.isEmpty() || text.length() > MAX_REVIEWER_LENGTH || names.size() >= MAX_REVIEWERS) {
        log.warn("policy {} rule {}: reviewer {} left out (not a name of 1 to {} characters,"
            + " or more than {})", policy.name(), index, name, MAX_REVIEWER_LENGTH, MAX_REVIEWERS);
        continue;
      }
      if (!names.contains(text)) {
        names.add(text);
      }
    }
    return names.isEmpty() ? null : List.copyOf(names);
  }

  /** The quorum of a matching routing rule; null when it says nothing usable (see above). */
  private static Integer approvals(Policy policy, int index, JsonNode rule) {
    JsonNode approvals = rule.get("approvals");
    if (approvals == null || approvals.isNull()) {
      return null;
    }
    if (!validApprovals(approvals)) {
      log.warn("policy {} rule {}: approvals {} ignored (not a whole number from 1 to {})",
          policy.name(), index, approvals, MAX_APPROVALS);
      return null;
    }
    return approvals.asInt();
  }

  private static void validatePath(String where, String path) {
    boolean ok = path.equals("action") || path.equals("urgency")
        || (path.startsWith("params.") && path.length() > 7)
        || (path.startsWith("context.") && path.length() > 8);
    if (!ok) {
      throw new IllegalArgumentException(where + ".match: unknown field '" + path
          + "' (use action, urgency, params.<name> or context.<name>)");
    }
  }

  private static void validateCondition(String where, JsonNode condition) {
    if (!isOperatorObject(condition)) {
      return; // exact value
    }
    Iterator<Map.Entry<String, JsonNode>> ops = condition.fields();
    while (ops.hasNext()) {
      Map.Entry<String, JsonNode> op = ops.next();
      switch (op.getKey()) {
        case "$in" -> {
          if (!op.getValue().isArray()) {
            throw new IllegalArgumentException(where + ".$in must be an array");
          }
        }
        case "$regex" -> {
          if (!op.getValue().isTextual()) {
            throw new IllegalArgumentException(where + ".$regex must be a string");
          }
          if (op.getValue().asText().length() > MAX_PATTERN) {
            throw new IllegalArgumentException(where + ".$regex must be at most " + MAX_PATTERN
                + " characters");
          }
          try {
            Pattern.compile(op.getValue().asText());
          } catch (PatternSyntaxException e) {
            // The description names the construct, e.g. "invalid escape sequence: `\1`" for a
            // backreference; it quotes only the caller's own pattern.
            throw new IllegalArgumentException(where + ".$regex is not a valid regular expression"
                + " (" + e.getDescription() + ": `" + e.getPattern() + "`); RE2 syntax is"
                + " supported, without backreferences, lookahead or lookbehind");
          }
        }
        case "$lt", "$gt", "$lte", "$gte" -> {
          if (!op.getValue().isNumber() && !op.getValue().isTextual()) {
            throw new IllegalArgumentException(where + "." + op.getKey()
                + " must be a number or a string");
          }
        }
        default -> throw new IllegalArgumentException(where + ": unknown operator "
            + op.getKey() + " (use $lt, $gt, $lte, $gte, $in, $regex)");
      }
    }
  }

  static boolean matches(JsonNode match, JsonNode request) {
    if (match == null || match.isNull() || match.isMissingNode()) {
      return true;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = match.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode actual = resolve(request, f.getKey());
      if (!holds(f.getValue(), actual)) {
        return false;
      }
    }
    return true;
  }

  static JsonNode resolve(JsonNode request, String path) {
    JsonNode node = request;
    for (String part : path.split("\\.")) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    return node == null || node.isNull() ? null : node;
  }

  private static boolean isOperatorObject(JsonNode condition) {
    if (!condition.isObject() || condition.isEmpty()) {
      return false;
    }
    Iterator<String> names = condition.fieldNames();
    while (names.hasNext()) {
      if (!names.next().startsWith("$")) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(JsonNode condition, JsonNode actual) {
    if (!isOperatorObject(condition)) {
      return actual != null && same(condition, actual);
    }
    if (actual == null) {
      return false;
    }
    Iterator<Map.Entry<String, JsonNode>> ops = condition.fields();
    while (ops.hasNext()) {
      Map.Entry<String, JsonNode> op = ops.next();
      JsonNode operand = op.getValue();
      boolean ok = switch (op.getKey()) {
        case "$lt" -> compare(actual, operand) < 0;
        case "$gt" -> compare(actual, operand) > 0 && compare(actual, operand) != NOT_COMPARABLE;
        case "$lte" -> compare(actual, operand) <= 0;
        case "$gte" -> compare(actual, operand) >= 0 && compare(actual, operand) != NOT_COMPARABLE;
        case "$in" -> operand.isArray() && inArray(operand, actual);
        case "$regex" -> operand.isTextual() && regex(operand.asText(), actual);
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean inArray(JsonNode array, JsonNode actual) {
    for (JsonNode candidate : array) {
      if (same(candidate, actual)) {
        return true;
      }
    }
    return false;
  }

  /** JSON equality, with numbers compared by value (10 equals 10.0). */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  /** A value no comparison holds for; chosen so that "< 0" and "<= 0" are false too. */
  static final int NOT_COMPARABLE = Integer.MAX_VALUE;

  static int compare(JsonNode actual, JsonNode operand) {
    if (actual.isNumber() && operand.isNumber()) {
      BigDecimal a = actual.decimalValue();
      return Integer.signum(a.compareTo(operand.decimalValue()));
    }
    if (actual.getNodeType() == JsonNodeType.STRING && operand.isTextual()) {
      return Integer.signum(actual.asText().compareTo(operand.asText()));
    }
    return NOT_COMPARABLE;
  }

  static boolean regex(String pattern, JsonNode actual) {
    if (!actual.isTextual() && !actual.isNumber() && !actual.isBoolean()) {
      return false;
    }
    String input = actual.asText();
    if (input.length() > MAX_REGEX_INPUT || pattern.length() > MAX_PATTERN) {
      return false;
    }
    Pattern compiled = compiled(pattern).orElseThrow(() -> new UnusablePattern(pattern));
    return compiled.matcher(input).find();
  }

  /** A stored pattern RE2 refuses: the evaluation stops and a person decides. */
  static final class UnusablePattern extends RuntimeException {
    UnusablePattern(String pattern) {
      super(pattern, null, false, false);
    }
  }

  /**
   * The pattern compiled once and cached. A pattern RE2 refuses (only one stored before
   * patterns were validated with RE2 can be) is cached as absent; evaluating it stops the
   * evaluation and routes the request to a person.
   */
  static Optional<Pattern> compiled(String pattern) {
    Optional<Pattern> cached = COMPILED.get(pattern);
    if (cached != null) {
      return cached;
    }
    if (COMPILED.size() >= MAX_COMPILED) {
      COMPILED.clear();
    }
    return COMPILED.computeIfAbsent(pattern, text -> {
      try {
        return Optional.of(Pattern.compile(text));
      } catch (PatternSyntaxException e) {
        log.warn("policy regex {} is not valid RE2 ({}); a rule using it routes requests to a person", text,
            e.getDescription());
        return Optional.empty();
      }
    });
  }

  static int compiledCount() {
    return COMPILED.size();
  }
}
