package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.apidocs.ApiDocuments;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published API documents cannot drift from the code: every resource method Jersey
 * registers on the running application is documented in exactly one document, every
 * documented operation exists, an operation that authenticates documents 401 (and 403 when
 * it needs a scope), and the server serves the documents as they are written.
 */
class ApiDocumentsCoverageTest {

  /** Operations served by servlets rather than Jersey: the MCP transport. */
  static final Map<String, String> SERVLET_OPERATIONS = Map.of(
      "POST /mcp", "/mcp", "GET /mcp", "/mcp", "DELETE /mcp", "/mcp");
  static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @TempDir static Path data;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = new TestApp(data).start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** What Jersey answers, as "METHOD /path/{}" (parameter names and patterns dropped). */
  record Route(String key, Method handler, Class<?> resourceClass) {}

  static List<Route> jerseyRoutes() {
    var config = app.environment().jersey().getResourceConfig();
    List<Resource> roots = new ArrayList<>(config.getResources());
    List<Object> registered = new ArrayList<>(config.getInstances());
    registered.addAll(config.getClasses());
    for (Object o : registered) {
      Class<?> type = o instanceof Class<?> c ? c : o.getClass();
      if (Resource.isAcceptable(type) && type.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
        roots.add(Resource.from(type));
      }
    }
    List<Route> routes = new ArrayList<>();
    for (Resource root : roots) {
      collect(root, "", routes);
    }
    return routes;
  }

  private static void collect(Resource resource, String prefix, List<Route> routes) {
    String path = join(prefix, resource.getPath());
    for (ResourceMethod m : resource.getResourceMethods()) {
      Class<?> handlerClass = m.getInvocable().getHandler().getHandlerClass();
      routes.add(new Route(m.getHttpMethod() + " " + normalize(path),
          m.getInvocable().getHandlingMethod(), handlerClass));
    }
    for (Resource child : resource.getChildResources()) {
      collect(child, path, routes);
    }
  }

  static String join(String a, String b) {
    return (a == null ? "" : a) + "/" + (b == null ? "" : b);
  }

  /** Slashes collapsed, no trailing slash, every template variable as {}. */
  static String normalize(String path) {
    String p = ("/" + path).replaceAll("/+", "/").replaceAll("\\{[^}]*}", "{}");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** Every documented operation, as "METHOD /path/{}", with the document it is in. */
  static Map<String, List<String>> documentedOperations() {
    Map<String, List<String>> ops = new TreeMap<>();
    ApiDocuments.load().all().forEach((name, doc) -> {
      Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
      while (paths.hasNext()) {
        var path = paths.next();
        path.getValue().fieldNames().forEachRemaining(method -> {
          if (HTTP_METHODS.contains(method)) {
            ops.computeIfAbsent(method.toUpperCase() + " " + normalize(path.getKey()),
                k -> new ArrayList<>()).add(name);
          }
        });
      }
    });
    return ops;
  }

  static JsonNode operation(String key) {
    String method = key.substring(0, key.indexOf(' ')).toLowerCase();
    String path = key.substring(key.indexOf(' ') + 1);
    for (ObjectNode doc : ApiDocuments.load().all().values()) {
      Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
      while (paths.hasNext()) {
        var p = paths.next();
        if (normalize(p.getKey()).equals(path) && p.getValue().has(method)) {
          return p.getValue().get(method);
        }
      }
    }
    throw new AssertionError("not documented: " + key);
  }

  @Test
  void givenTheRunningApp_whenItsJerseyRoutesAreListed_thenEachIsInExactlyOneDocument() {
    List<Route> routes = jerseyRoutes();
    assertThat(routes).as("Jersey's resource model of the running app").hasSizeGreaterThan(60);
    Map<String, List<String>> documented = documentedOperations();

    Set<String> undocumented = new TreeSet<>();
    Set<String> inSeveral = new TreeSet<>();
    for (Route r : routes) {
      List<String> docs = documented.get(r.key());
      if (docs == null) {
        undocumented.add(r.key() + " (" + r.resourceClass().getSimpleName() + ")");
      } else if (docs.size() > 1) {
        inSeveral.add(r.key() + " in " + docs);
      }
    }
    assertThat(undocumented).as("routes no API document describes").isEmpty();
    assertThat(inSeveral).as("routes described by more than one document").isEmpty();
  }

  @Test
  void givenTheDocuments_whenEachOperationIsLookedUp_thenTheServerHasIt() {
    Set<String> routes = new TreeSet<>();
    jerseyRoutes().forEach(r -> routes.add(r.key()));
    Set<String> servletPaths = new TreeSet<>();
    for (ServletMapping m : app.environment().getApplicationContext().getServletHandler()
        .getServletMappings()) {
      servletPaths.addAll(Arrays.asList(m.getPathSpecs()));
    }

    Set<String> phantom = new TreeSet<>();
    for (String op : documentedOperations().keySet()) {
      String servletPath = SERVLET_OPERATIONS.get(op);
      boolean exists = servletPath != null ? servletPaths.contains(servletPath) : routes.contains(op);
      if (!exists) {
        phantom.add(op);
      }
    }
    assertThat(phantom).as("documented operations the server does not have").isEmpty();
  }

  @Test
  void givenAnOperationThatAuthenticates_whenDocumented_thenItLists401AndIfScoped403() {
    Set<String> missing = new TreeSet<>();
    for (Route r : jerseyRoutes()) {
      JsonNode responses = operation(r.key()).path("responses");
      boolean authenticates = Arrays.stream(r.handler().getParameters())
          .anyMatch((Parameter p) -> p.isAnnotationPresent(Auth.class));
      boolean scoped = r.handler().isAnnotationPresent(RolesAllowed.class)
          || r.resourceClass().isAnnotationPresent(RolesAllowed.class)
          || r.handler().getDeclaringClass().isAnnotationPresent(RolesAllowed.class);
      if (authenticates && !responses.has("401")) {
        missing.add(r.key() + ": 401");
      }
      if (authenticates && !responses.has("429")) {
        missing.add(r.key() + ": 429");
      }
      if (scoped && !responses.has("403")) {
        missing.add(r.key() + ": 403");
      }
      if (!responses.has("400")) {
        missing.add(r.key() + ": 400 (any request Jetty refuses)");
      }
    }
    assertThat(missing).as("statuses the code can produce but the document omits").isEmpty();
  }

  @Test
  void givenTheServer_whenTheDocumentsAreFetched_thenTheyAreServedAsWrittenWithoutAKey() {
    var written = ApiDocuments.load().all();
    TestApp.Resp index = app.get("/openapi", null);
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.body().path("documents")).hasSize(written.size());
    for (var e : written.entrySet()) {
      TestApp.Resp served = app.get("/openapi/" + e.getKey() + ".json", null);
      assertThat(served.status()).as(e.getKey()).isEqualTo(200);
      assertThat(served.body()).as(e.getKey()).isEqualTo(e.getValue());
    }
    TestApp.Resp unknown = app.get("/openapi/nope.json", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().path("error").isTextual()).isTrue();

    var page = app.raw(app.builder("/docs/api/", null).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui-bundle.js", "/docs/api/docs.js");
    var bundle = app.raw(app.builder("/docs/api/swagger-ui/swagger-ui-bundle.js", null).GET());
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(app.raw(app.builder("/docs/api/docs.js", null).GET()).body()).contains("/openapi");
  }
}
