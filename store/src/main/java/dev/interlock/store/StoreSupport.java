package dev.interlock.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.Approval;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
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
    // The model's records are plain data (no JDBI annotations): a jsonb column read into a
    // JsonNode is parsed here, SQL NULL staying null.
    jdbi.registerColumnMapper(JsonNode.class, (rs, column, ctx) -> {
      String text = rs.getString(column);
      try {
        return text == null ? null : mapper.readTree(text);
      } catch (JsonProcessingException e) {
        throw new SQLException("column " + column + " holds no JSON", e);
      }
    });
    // InterruptRow's approvals: the JSON array InterruptDao.COLUMNS aggregates.
    jdbi.registerColumnMapper(new GenericType<List<Approval>>() {}, (rs, column, ctx) -> {
      String text = rs.getString(column);
      try {
        return Columns.approvals(text == null ? null : mapper.readTree(text));
      } catch (JsonProcessingException e) {
        throw new SQLException("column " + column + " holds no JSON", e);
      }
    });
    return jdbi;
  }
}
