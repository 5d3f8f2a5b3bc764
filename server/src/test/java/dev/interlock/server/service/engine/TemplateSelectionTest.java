package dev.interlock.server.service.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.server.service.engine.TemplateSelection.Facts;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which template an issue gets: each condition, and the order among those that apply. */
class TemplateSelectionTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static TemplateRow t(String id, String conditions, int specificity, String projectId,
      int ageRank) {
    try {
      return new TemplateRow(id, "ws", id, id, null, JSON.readTree(conditions), specificity,
          projectId, "ver_" + id, T0.plusSeconds(ageRank), T0, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Facts facts(String type) {
    return new Facts(type, "github", Set.of("bug", "lbl_1"), "proj_a", true, 0.8);
  }

  static Optional<String> choose(Facts facts, TemplateRow... templates) {
    return TemplateSelection.choose(List.of(templates), facts).map(TemplateRow::id);
  }

  @Test
  void givenEachCondition_whenItHoldsOrNot_thenTheTemplateAppliesOrNot() {
    Facts f = facts("signal");
    String[][] cases = {
        {"{}", "true"},
        {"{\"type\":\"signal\"}", "true"}, {"{\"type\":\"task\"}", "false"},
        {"{\"signalSource\":\"GitHub\"}", "true"}, {"{\"signalSource\":\"sentry\"}", "false"},
        {"{\"labels\":[\"Bug\"]}", "true"}, {"{\"labels\":[\"lbl_1\"]}", "true"},
        {"{\"labels\":[\"bug\",\"ux\"]}", "false"},
        {"{\"projectId\":\"proj_a\"}", "true"}, {"{\"projectId\":\"proj_b\"}", "false"},
        {"{\"hasFailedSessions\":true}", "true"}, {"{\"hasFailedSessions\":false}", "false"},
        {"{\"hypothesisConfidence\":0.8}", "true"}, {"{\"hypothesisConfidence\":0.9}", "false"},
        {"{\"type\":\"signal\",\"signalSource\":\"sentry\"}", "false"},
    };
    for (String[] c : cases) {
      assertThat(choose(f, t("x", c[0], 10, null, 0)).isPresent()).as(c[0])
          .isEqualTo(Boolean.parseBoolean(c[1]));
    }
    Facts noHypothesis = new Facts("task", null, Set.of(), null, false, null);
    assertThat(choose(noHypothesis, t("x", "{\"hypothesisConfidence\":0}", 10, null, 0)))
        .isEmpty();
    assertThat(choose(noHypothesis, t("x", "{\"signalSource\":\"github\"}", 10, null, 0)))
        .isEmpty();
    assertThat(choose(noHypothesis, t("x", "{\"projectId\":\"proj_a\"}", 10, null, 0)))
        .isEmpty();
  }

  @Test
  void givenSeveralThatApply_whenChosen_thenProjectBeatsSpecificityBeatsConditionsBeatsAge() {
    TemplateRow fallback = t("fallback", "{\"type\":\"signal\"}", 10, null, 0);
    TemplateRow generic = t("generic", "{}", 10, null, 1);
    TemplateRow specific = t("specific", "{\"type\":\"signal\"}", 50, null, 2);
    TemplateRow project = t("project", "{}", 0, "proj_a", 3);
    TemplateRow otherProject = t("other-project", "{}", 100, "proj_b", 4);
    TemplateRow newerTwin = t("newer-twin", "{\"type\":\"signal\"}", 10, null, 5);
    Facts f = facts("signal");

    assertThat(choose(f, fallback, generic, specific, project, otherProject)).contains("project");
    assertThat(choose(f, fallback, generic, specific, otherProject)).contains("specific");
    // Equal specificity: the one naming more conditions; equal again: the older.
    assertThat(choose(f, generic, fallback)).contains("fallback");
    assertThat(choose(f, newerTwin, fallback)).contains("fallback");
    // Another project's template never serves the issue, however specific.
    assertThat(choose(f, otherProject)).isEmpty();
    // Nothing else applies: the type's fallback does.
    assertThat(choose(facts("signal"), t("task-only", "{\"type\":\"task\"}", 90, null, 6),
        fallback)).contains("fallback");
  }

  @Test
  void givenATemplateWithoutActiveVersion_whenChosen_thenItIsSkipped() {
    TemplateRow none = new TemplateRow("none", "ws", "none", "none", null, JSON.createObjectNode(),
        100, null, null, T0, T0, null);
    assertThat(choose(facts("task"), none, t("other", "{}", 0, null, 1))).contains("other");
  }
}
