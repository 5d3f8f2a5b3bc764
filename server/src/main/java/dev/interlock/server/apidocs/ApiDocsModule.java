package dev.interlock.server.apidocs;

import dev.interlock.server.InterlockConfiguration;
import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The API documents at {@code /openapi/...} and their interactive rendering at
 * {@code /docs/api/}: Swagger UI's own files from its webjar (plain files, no code of ours
 * in them) at {@code /docs/api/swagger-ui/}, and a small page of ours that points it at
 * every document with a selector. Both are static files served by Dropwizard's assets
 * servlet on paths longer than Jersey's root, so no API route moves. The webjar's own
 * index page (Swagger's demo, pointing at a remote example API) is not served as an index.
 */
public final class ApiDocsModule {

  public static final String DOCS_PATH = "/docs/api";

  private ApiDocsModule() {}

  public static void bootstrap(Bootstrap<InterlockConfiguration> bootstrap) {
    bootstrap.addBundle(new AssetsBundle("/assets/apidocs", DOCS_PATH, "index.html", "api-docs"));
    bootstrap.addBundle(new AssetsBundle(
        "/META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion(),
        DOCS_PATH + "/swagger-ui", null, "swagger-ui"));
  }

  public static ApiDocuments install(Environment environment) {
    ApiDocuments documents = ApiDocuments.load();
    environment.jersey().register(new ApiDocumentResource(documents, environment.getObjectMapper()));
    return documents;
  }

  /** The webjar's version, from its Maven metadata, so the pom is the one place it is set. */
  static String swaggerUiVersion() {
    String path = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    try (InputStream in = ApiDocsModule.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Swagger UI's webjar is not on the classpath (" + path + ")");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
