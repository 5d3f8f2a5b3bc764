package dev.interlock.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.jackson2.Jackson2Config;
import org.jdbi.v3.jackson2.Jackson2Plugin;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** What every process that talks to the store does first: migrate and configure JDBI. */
public final class StoreSupport {

  private StoreSupport() {}

  /** Applies the Flyway migrations shipped in this module; safe to run on every start. */
  public static void migrate(DataSource dataSource, String schema) {
    var config = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
    if (schema != null) {
      config.schemas(schema).defaultSchema(schema);
    }
    config.load().migrate();
  }

  /** Installs the plugins the DAOs rely on; the mapper is the application's own. */
  public static Jdbi configure(Jdbi jdbi, ObjectMapper mapper) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.installPlugin(new PostgresPlugin());
    jdbi.installPlugin(new Jackson2Plugin());
    jdbi.getConfig(Jackson2Config.class).setMapper(mapper);
    return jdbi;
  }
}
