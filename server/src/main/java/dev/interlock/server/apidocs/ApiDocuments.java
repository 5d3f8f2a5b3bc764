package dev.interlock.server.apidocs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published OpenAPI 3.1 documents, one per dialect plus the shared routes and the
 * people's pages. They are written by hand as YAML under {@code src/main/resources/openapi}
 * (the contract is the document, not a by-product of annotations) and read once at start;
 * tests hold them to the routes Jersey registers and to the OpenAPI 3.1 schema.
 */
public final class ApiDocuments {

  /** Every document, in the order the docs page lists them. */
  public static final List<String> NAMES =
      List.of("loopin", "loopgate", "agentgate", "loopat", "loop", "shared", "web");

  private final Map<String, ObjectNode> documents;

  private ApiDocuments(Map<String, ObjectNode> documents) {
    this.documents = documents;
  }

  /** Reads every document from the classpath; fails the start if one is missing or broken. */
  public static ApiDocuments load() {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, ObjectNode> documents = new LinkedHashMap<>();
    for (String name : NAMES) {
      documents.put(name, read(yaml, name));
    }
    return new ApiDocuments(documents);
  }

  static ObjectNode read(ObjectMapper yaml, String name) {
    String path = "/openapi/" + name + ".yaml";
    try (InputStream in = ApiDocuments.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing API document " + path);
      }
      JsonNode node = yaml.readTree(in);
      if (!(node instanceof ObjectNode doc)) {
        throw new IllegalStateException("API document " + path + " is not an object");
      }
      return doc;
    } catch (IOException e) {
      throw new UncheckedIOException("reading API document " + path, e);
    }
  }

  public Optional<ObjectNode> get(String name) {
    return Optional.ofNullable(documents.get(name));
  }

  public Map<String, ObjectNode> all() {
    return documents;
  }

  /** The document's title, for the index and the docs page's selector. */
  public static String title(ObjectNode document) {
    return document.path("info").path("title").asText("");
  }
}
