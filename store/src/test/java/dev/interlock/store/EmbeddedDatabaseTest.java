package dev.interlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

  @Test
  void givenSharedServer_thenDurabilitySettingsAreOn() {
    Jdbi jdbi = Jdbi.create(TestDatabase.server().dataSource());
    jdbi.useHandle(h -> {
      assertThat(h.createQuery("show fsync").mapTo(String.class).one()).isEqualTo("on");
      assertThat(h.createQuery("show synchronous_commit").mapTo(String.class).one()).isEqualTo("on");
      assertThat(h.createQuery("show full_page_writes").mapTo(String.class).one()).isEqualTo("on");
    });
  }

  @Test
  void givenDataDirectory_whenRestarted_thenDataSurvives(@TempDir Path dir) {
    try (EmbeddedDatabase first = EmbeddedDatabase.start(dir)) {
      Jdbi.create(first.dataSource()).useHandle(h -> {
        h.execute("create table kept (v text)");
        h.execute("insert into kept values ('still here')");
      });
    }
    assertThat(Files.exists(dir.resolve("PG_VERSION"))).isTrue();
    try (EmbeddedDatabase second = EmbeddedDatabase.start(dir)) {
      String v = Jdbi.create(second.dataSource())
          .withHandle(h -> h.createQuery("select v from kept").mapTo(String.class).one());
      assertThat(v).isEqualTo("still here");
    }
  }
}
