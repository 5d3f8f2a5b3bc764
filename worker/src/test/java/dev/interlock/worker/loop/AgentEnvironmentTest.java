package dev.interlock.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What of the worker's environment reaches an agent. */
class AgentEnvironmentTest {

  @Test
  void givenInterlocksSecrets_whenFiltered_thenNoneReachesTheAgent() {
    assertThat(AgentEnvironment.passes("INTERLOCK_ADMIN_KEY")).isFalse();
    assertThat(AgentEnvironment.passes("INTERLOCK_ADMIN_PASSWORD")).isFalse();
    assertThat(AgentEnvironment.passes("DATABASE_PASSWORD")).isFalse();
    assertThat(AgentEnvironment.passes("DATABASE_URL")).isFalse();
    assertThat(AgentEnvironment.passes("INTERLOCK_REVIEW_SECRET")).isFalse();
    assertThat(AgentEnvironment.passes("JWT_SECRET")).isFalse();
  }

  @Test
  void givenWhatAProgramAndItsModelNeed_whenFiltered_thenItPasses() {
    assertThat(AgentEnvironment.passes("PATH")).isTrue();
    assertThat(AgentEnvironment.passes("HOME")).isTrue();
    assertThat(AgentEnvironment.passes("LC_ALL")).isTrue();
    assertThat(AgentEnvironment.passes("ANTHROPIC_API_KEY")).isTrue();
    assertThat(AgentEnvironment.passes("CLAUDE_CODE_USE_BEDROCK")).isTrue();
    assertThat(AgentEnvironment.passes("HTTPS_PROXY")).isTrue();
  }
}
