package dev.interlock.server.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.config.TemporalConfig;
import dev.interlock.server.config.TemporalConfig.Mode;
import dev.interlock.server.temporal.TemporalFactory.Choice;
import io.dropwizard.jackson.Jackson;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code temporal.mode} is resolved, without starting anything: the PATH is a map handed
 * in, and the "CLI" is an empty executable file, since choosing only looks for it.
 */
class TemporalModeTest {

  private static final ObjectMapper YAML = Jackson.newObjectMapper(
      new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

  @TempDir Path dir;

  private Path executable(Path folder, String name) throws Exception {
    Files.createDirectories(folder);
    Path file = Files.createFile(folder.resolve(name));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static TemporalConfig config(String yaml) throws Exception {
    return YAML.readValue(yaml.isBlank() ? "{}" : yaml, TemporalConfig.class);
  }

  private static Map<String, String> path(Path... dirs) {
    StringBuilder value = new StringBuilder();
    for (Path d : dirs) {
      value.append(value.isEmpty() ? "" : File.pathSeparator).append(d);
    }
    return Map.of("PATH", value.toString());
  }

  @Test
  void givenAutoAndCliOnThePath_whenChosen_thenDevServerSayingWhereTheCliIs() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path cli = executable(dir.resolve("bin"), "temporal");

    Choice choice = TemporalFactory.choose(config(""), path(empty, dir.resolve("bin")));

    assertThat(choice.mode()).isEqualTo(Mode.DEVSERVER);
    assertThat(choice.cli()).isEqualTo(cli.toAbsolutePath());
    assertThat(choice.reason()).contains("auto").contains("found at " + cli.toAbsolutePath());
  }

  @Test
  void givenAutoAndCliPath_whenChosen_thenDevServerWithThatCliEvenWithoutPath() throws Exception {
    Path cli = executable(dir.resolve("tools"), "my-temporal");

    Choice choice = TemporalFactory.choose(config("cliPath: " + cli), Map.of());

    assertThat(choice.mode()).isEqualTo(Mode.DEVSERVER);
    assertThat(choice.cli()).isEqualTo(cli.toAbsolutePath());
    assertThat(choice.reason()).contains("found at " + cli.toAbsolutePath());
  }

  @Test
  void givenAutoAndNoCli_whenChosen_thenEmbeddedSayingWhatIsMissing() throws Exception {
    // A directory on the PATH that has a "temporal" which is not executable does not count.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createFile(bin.resolve("temporal"));

    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), path(bin))) {
      Choice choice = TemporalFactory.choose(config("mode: auto"), env);

      assertThat(choice.mode()).isEqualTo(Mode.EMBEDDED);
      assertThat(choice.cli()).isNull();
      assertThat(choice.reason()).contains("auto").contains("no Temporal CLI")
          .contains("in memory").contains("TEMPORAL_CLI_PATH");
    }
  }

  @Test
  void givenDevServerAndNoCli_whenChosen_thenFailsNamingTemporalCliPath() throws Exception {
    assertThatThrownBy(() -> TemporalFactory.choose(config("mode: devserver"), Map.of("PATH", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("devserver")
        .hasMessageContaining("TEMPORAL_CLI_PATH");
  }

  @Test
  void givenCliPathThatIsNotAnExecutableFile_whenChosen_thenFailsNamingTheSetting() throws Exception {
    Path plain = Files.createFile(dir.resolve("temporal"));
    Path folder = Files.createDirectories(dir.resolve("folder"));
    Path missing = dir.resolve("missing");
    // An existing CLI on the PATH does not hide a broken explicit setting.
    executable(dir.resolve("bin"), "temporal");

    for (Path bad : new Path[] {plain, folder, missing}) {
      for (String mode : new String[] {"auto", "devserver"}) {
        assertThatThrownBy(() -> TemporalFactory.choose(
            config("mode: " + mode + "\ncliPath: " + bad), path(dir.resolve("bin"))))
            .as("%s in mode %s", bad, mode)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("TEMPORAL_CLI_PATH")
            .hasMessageContaining(bad.toString())
            .hasMessageContaining("not an executable file");
      }
    }
  }

  @Test
  void givenDeprecatedEmbeddedFlag_whenModeIsAuto_thenItDecides() throws Exception {
    Path cli = executable(dir.resolve("bin"), "temporal");
    Map<String, String> withCli = path(cli.getParent());

    assertThat(TemporalFactory.choose(config("embedded: true"), withCli).mode())
        .isEqualTo(Mode.EMBEDDED);
    assertThat(TemporalFactory.choose(config("embedded: false"), withCli).mode())
        .isEqualTo(Mode.EXTERNAL);
    assertThat(TemporalFactory.choose(config("mode: auto\nembedded: false"), Map.of()).mode())
        .isEqualTo(Mode.EXTERNAL);
  }

  @Test
  void givenDeprecatedEmbeddedFlag_whenModeIsExplicit_thenTheModeWins() throws Exception {
    Path cli = executable(dir.resolve("bin"), "temporal");
    Map<String, String> withCli = path(cli.getParent());

    assertThat(TemporalFactory.choose(config("mode: devserver\nembedded: true"), withCli).mode())
        .isEqualTo(Mode.DEVSERVER);
    assertThat(TemporalFactory.choose(config("mode: external\nembedded: true"), withCli).mode())
        .isEqualTo(Mode.EXTERNAL);
    assertThat(TemporalFactory.choose(config("mode: embedded\nembedded: false"), withCli).mode())
        .isEqualTo(Mode.EMBEDDED);
  }

  @Test
  void givenModeSpellings_whenRead_thenParsedOrRejectedWithTheChoices() throws Exception {
    assertThat(config("mode: DevServer").mode).isEqualTo(Mode.DEVSERVER);
    assertThat(config("mode: dev-server").mode).isEqualTo(Mode.DEVSERVER);
    assertThat(config("mode: ''").mode).isEqualTo(Mode.AUTO);
    assertThat(config("").mode).isEqualTo(Mode.AUTO);
    assertThatThrownBy(() -> config("mode: cluster"))
        .hasMessageContaining("temporal.mode must be auto, embedded, devserver or external");
  }
}
