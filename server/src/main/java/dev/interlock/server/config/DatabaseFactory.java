package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;

/**
 * Dropwizard's data source settings plus one switch: {@code embedded: true} starts a
 * PostgreSQL server from Maven-packaged binaries with its data under
 * {@code <dataDir>/postgres} and points the pool at it (url, user and password below are
 * then ignored); {@code embedded: false} uses {@code url}, {@code user}, {@code password}
 * of an external PostgreSQL.
 */
public class DatabaseFactory extends DataSourceFactory {

  private boolean embedded = true;

  public DatabaseFactory() {
    setDriverClass("org.postgresql.Driver");
    setUrl("jdbc:postgresql://localhost:5432/interlock");
  }

  @JsonProperty
  public boolean isEmbedded() {
    return embedded;
  }

  @JsonProperty
  public void setEmbedded(boolean embedded) {
    this.embedded = embedded;
  }
}
