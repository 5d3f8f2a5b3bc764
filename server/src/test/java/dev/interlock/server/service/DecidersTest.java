package dev.interlock.server.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.errors.Forbidden;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecidersTest {

  private static final String BOB_ID = "6f1c4c2e-0000-4000-8000-000000000001";
  private static final List<String> BOB_NAMES = List.of("bob", BOB_ID, "finance");

  private static Caller bob(String role) {
    return Caller.user(BOB_ID, "bob").inWorkspace("ws", role);
  }

  @Test
  void givenNoReviewers_thenAdminsAndReviewersDecideButViewersDoNot() {
    assertThatCode(() -> Deciders.check(bob(Roles.ADMIN), List.of(), 1, BOB_NAMES))
        .doesNotThrowAnyException();
    assertThatCode(() -> Deciders.check(bob(Roles.REVIEWER), List.of(), 1, BOB_NAMES))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Deciders.check(bob(Roles.VIEWER), List.of(), 1, BOB_NAMES))
        .isInstanceOf(Forbidden.class).hasMessageStartingWith("A viewer cannot decide");
  }

  @Test
  void givenReviewers_thenOnlyThoseNamedTheirGroupsOrAnAdminDecide() {
    assertThatCode(() -> Deciders.check(bob(Roles.REVIEWER), List.of("Finance"), 1, BOB_NAMES))
        .as("by group, any letter case").doesNotThrowAnyException();
    assertThatCode(() -> Deciders.check(bob(Roles.REVIEWER), List.of("BOB"), 1, BOB_NAMES))
        .as("by username").doesNotThrowAnyException();
    assertThatThrownBy(() -> Deciders.check(bob(Roles.REVIEWER), List.of("oncall", "ann"), 1,
        BOB_NAMES)).isInstanceOf(Forbidden.class)
        .hasMessage("This interrupt is for oncall, ann: only they or an admin may decide it");
    assertThatCode(() -> Deciders.check(bob(Roles.ADMIN), List.of("oncall"), 1, BOB_NAMES))
        .doesNotThrowAnyException();
  }

  @Test
  void givenAQuorum_whenAReviewLinkDecides_thenRefusedButPeopleAndKeysDecide() {
    assertThatThrownBy(() -> Deciders.check(Caller.reviewLink("ws", "ann@example.com"),
        List.of(), 2, List.of())).isInstanceOf(Forbidden.class)
        .hasMessage("This request needs 2 approvals from different people: log in to decide it");
    assertThatCode(() -> Deciders.check(bob(Roles.REVIEWER), List.of(), 2, BOB_NAMES))
        .doesNotThrowAnyException();
    Caller key = Caller.key("k1", "ws", "deploy-bot", Set.of("request:decide"), null);
    assertThatCode(() -> Deciders.check(key, List.of(), 2, List.of()))
        .doesNotThrowAnyException();
  }

  @Test
  void givenAKeyOrAReviewLink_thenTheScopeAlreadyDecided() {
    Caller key = Caller.key("k1", "ws", "deploy-bot", Set.of("request:decide"), null);
    assertThatCode(() -> Deciders.check(key, List.of("oncall"), 1, List.of()))
        .doesNotThrowAnyException();
    assertThatCode(() -> Deciders.check(Caller.reviewLink("ws", "ann@example.com"),
        List.of("oncall"), 1, List.of())).doesNotThrowAnyException();
  }
}
