package dev.interlock.server.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.ClientGone;
import dev.interlock.server.errors.InvalidRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies as JSON objects with a size limit, and reads typed fields with
 * messages that say which field is wrong. Dialects parse by hand so that each can word its
 * 400s and accept its spec's variants; a typed binding would answer in Jackson's words.
 */
public final class JsonBodies {

  private final ObjectMapper json;
  private final int maxBytes;

  public JsonBodies(ObjectMapper json, int maxBytes) {
    this.json = json;
    this.maxBytes = maxBytes;
  }

  /** The body as a JSON object; 400 if empty, too large, malformed or not an object. */
  public ObjectNode object(InputStream body) {
    return parse(read(body));
  }

  /** Like {@link #object}, but an empty body is an empty object (an optional body). */
  public ObjectNode optionalObject(InputStream body) {
    byte[] bytes = read(body);
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()
        ? json.createObjectNode() : parse(bytes);
  }

  private byte[] read(InputStream body) {
    byte[] bytes;
    try {
      bytes = body == null ? new byte[0] : body.readNBytes(maxBytes + 1);
    } catch (IOException e) {
      if (ClientGone.is(e)) {
        throw new UncheckedIOException(e); // not a bad request: the mappers log it at DEBUG
      }
      throw new InvalidRequest("Could not read the request body");
    }
    if (bytes.length > maxBytes) {
      throw new InvalidRequest("Request body exceeds " + humanSize(maxBytes));
    }
    return bytes;
  }

  private ObjectNode parse(byte[] bytes) {
    if (bytes.length == 0) {
      throw new InvalidRequest("Request body must be a JSON object");
    }
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InvalidRequest("Malformed JSON body");
    } catch (IOException e) {
      throw new InvalidRequest("Could not read the request body");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequest("Request body must be a JSON object");
    }
    if (holdsNul(node)) {
      throw new InvalidRequest(NUL_MESSAGE);
    }
    return (ObjectNode) node;
  }

  static final String NUL_MESSAGE =
      "JSON strings must not contain the NUL character (\\u0000)";

  /**
   * Whether any string or field name in the tree holds U+0000, which PostgreSQL can store
   * neither in text nor in jsonb: refused here as a 400 rather than failing the insert.
   */
  public static boolean holdsNul(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue().indexOf('\0') >= 0;
    }
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        if (f.getKey().indexOf('\0') >= 0 || holdsNul(f.getValue())) {
          return true;
        }
      }
      return false;
    }
    if (node.isArray()) {
      for (JsonNode item : node) {
        if (holdsNul(item)) {
          return true;
        }
      }
    }
    return false;
  }

  public static String requiredText(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidRequest(field + " is required");
    }
    if (!v.isTextual()) {
      throw new InvalidRequest(field + " must be a string");
    }
    if (v.asText().isBlank()) {
      throw new InvalidRequest(field + " is required");
    }
    return v.asText();
  }

  public static String optionalText(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequest(field + " must be a string");
    }
    return v.asText();
  }

  public static ObjectNode optionalObject(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new InvalidRequest(field + " must be a JSON object");
    }
    return (ObjectNode) v;
  }

  /** A whole number of seconds or similar; 400 if not an integer. */
  public static Long optionalLong(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())) {
      return (long) v.asDouble();
    }
    throw new InvalidRequest(field + " must be a whole number");
  }

  /** Limits text fields so a single field cannot carry the whole 1 MiB. */
  public static String limit(String value, String field, int max) {
    if (value != null && value.length() > max) {
      throw new InvalidRequest(field + " must be at most " + max + " characters");
    }
    return value;
  }

  private static String humanSize(int bytes) {
    return bytes % (1024 * 1024) == 0 ? (bytes / (1024 * 1024)) + " MiB" : bytes + " bytes";
  }
}
