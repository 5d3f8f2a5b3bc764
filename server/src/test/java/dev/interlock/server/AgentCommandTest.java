package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configured agent command as the worker runs it (in the loop's folder, not here). */
class AgentCommandTest {

  @Test
  void givenBareNameOrAbsolutePath_whenParsed_thenKeptAsWritten() {
    assertThat(InterlockApplication.agentCommand("claude")).containsExactly("claude");
    assertThat(InterlockApplication.agentCommand("  /usr/bin/python3   agent.py --x "))
        .containsExactly("/usr/bin/python3", "agent.py", "--x");
  }

  @Test
  void givenRelativeProgramPath_whenParsed_thenMadeAbsoluteAgainstTheServersFolder() {
    String here = Path.of("").toAbsolutePath().toString();
    assertThat(InterlockApplication.agentCommand("bin/../tools/agent --fast"))
        .containsExactly(here + "/tools/agent", "--fast");
  }
}
