package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.apidocs.ApiDocuments;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each published document is valid OpenAPI 3.1 as swagger-parser (the reference parser of
 * the OpenAPI tooling in Java) reads it: no messages, every {@code $ref} resolved, plus the
 * rules it does not check itself (unique operation ids, a success answer and an error shape
 * on every operation, JSON bodies with a schema).
 */
class ApiDocumentsValidTest {

  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  @Test
  void givenEachDocument_whenParsedAsOpenApi31_thenItHasNoErrorsAndEveryRefResolves() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    options.setValidateInternalRefs(true);
    for (Map.Entry<String, ObjectNode> e : ApiDocuments.load().all().entrySet()) {
      SwaggerParseResult result =
          new OpenAPIV3Parser().readContents(e.getValue().toString(), null, options);
      assertThat(result.getMessages()).as(e.getKey()).isEmpty();
      OpenAPI api = result.getOpenAPI();
      assertThat(api).as(e.getKey()).isNotNull();
      assertThat(api.getSpecVersion()).as(e.getKey()).isEqualTo(SpecVersion.V31);
      assertThat(api.getOpenapi()).as(e.getKey()).isEqualTo("3.1.0");
      assertThat(api.getPaths()).as(e.getKey()).isNotEmpty();
    }
  }

  @Test
  void givenEachDocument_whenItsOperationsAreRead_thenEachIsCompleteAndUniquelyNamed() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, ObjectNode> e : ApiDocuments.load().all().entrySet()) {
      Set<String> ids = new HashSet<>();
      e.getValue().path("paths").fields().forEachRemaining(path -> path.getValue().fields()
          .forEachRemaining(op -> {
            if (!METHODS.contains(op.getKey())) {
              return;
            }
            String where = e.getKey() + ": " + op.getKey().toUpperCase() + " " + path.getKey();
            JsonNode o = op.getValue();
            if (!ids.add(o.path("operationId").asText())) {
              problems.add(where + ": operationId missing or repeated");
            }
            boolean success = false;
            var responses = o.path("responses").fieldNames();
            while (responses.hasNext()) {
              String status = responses.next();
              success |= status.startsWith("2") || status.startsWith("3");
            }
            if (!success) {
              problems.add(where + ": no 2xx or 3xx answer");
            }
            if (!o.path("responses").has("400")) {
              problems.add(where + ": no 400 answer");
            }
            JsonNode json = o.path("requestBody").path("content").path("application/json");
            if (!json.isMissingNode() && !json.has("schema")) {
              problems.add(where + ": a JSON body without a schema");
            }
          }));
    }
    assertThat(problems).isEmpty();
  }
}
