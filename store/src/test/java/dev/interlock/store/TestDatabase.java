package dev.interlock.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL per test JVM (started on first use, stopped at exit), and a fresh,
 * Flyway-migrated schema per test class. Never H2, never a mock.
 */
public final class TestDatabase {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static volatile EmbeddedDatabase server;

  private TestDatabase() {}

  public static synchronized EmbeddedDatabase server() {
    if (server == null) {
      try {
        var dir = Files.createTempDirectory("interlock-test-pg");
        server = EmbeddedDatabase.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** A new schema named after the test class, migrated, and a JDBI bound to it. */
  public static Jdbi freshSchema(Class<?> testClass) {
    String schema =
        (testClass.getSimpleName() + "_" + SCHEMAS.incrementAndGet()).toLowerCase(Locale.ROOT);
    DataSource ds = dataSource(schema);
    try (Connection c = server().dataSource().getConnection()) {
      c.createStatement().execute("create schema " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    StoreSupport.migrate(ds, schema);
    return StoreSupport.configure(Jdbi.create(ds), mapper());
  }

  public static DataSource dataSource(String schema) {
    var ds = new PGSimpleDataSource();
    ds.setUrl("jdbc:postgresql://localhost:" + server().port() + "/postgres");
    ds.setUser("postgres");
    ds.setCurrentSchema(schema);
    return ds;
  }

  public static ObjectMapper mapper() {
    return new ObjectMapper().registerModule(new JavaTimeModule());
  }
}
