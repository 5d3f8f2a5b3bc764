package dev.interlock.server.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.ClientGone;
import dev.interlock.server.errors.InvalidRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies as JSON objects with a size limit, and binds them to a dialect's
 * typed request records ({@link #read}, {@link #bind}) with messages that say which field is
 * wrong, in our words rather than Jackson's: "agentId must be a string". Binding is strict
 * about kinds (no number read as a string, no string as a number or boolean) and tolerant of
 * fields a record does not name; each record's own validator then checks what is required,
 * lengths and ranges.
 */
public final class JsonBodies {

  private final ObjectMapper json;
  private final ObjectMapper strict;
  private final int maxBytes;

  public JsonBodies(ObjectMapper json, int maxBytes) {
    this.json = json;
    this.strict = strictCopy(json);
    this.maxBytes = maxBytes;
  }

  /** The body bound to {@code type}; 400 if empty, too large, malformed or of wrong kinds. */
  public <T> T read(InputStream body, Class<T> type) {
    return bind(object(body), type);
  }

  /** Like {@link #read}, but an empty body binds as an empty object (an optional body). */
  public <T> T readOptional(InputStream body, Class<T> type) {
    return bind(optionalObject(body), type);
  }

  /** An object already read (a body, or an MCP tool's arguments) bound to {@code type}. */
  public <T> T bind(ObjectNode node, Class<T> type) {
    if (holdsNul(node)) {
      throw new InvalidRequest(NUL_MESSAGE);
    }
    try {
      return strict.treeToValue(node, type);
    } catch (MismatchedInputException e) {
      throw new InvalidRequest(mismatch(e));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidRequest("Request body does not have the expected shape");
    }
  }

  /** "field must be a string", naming the field by its JSON path. */
  static String mismatch(MismatchedInputException e) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (field.length() > 0) {
          field.append('.');
        }
        field.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        field.append('[').append(ref.getIndex()).append(']');
      }
    }
    String name = field.length() == 0 ? "Request body" : field.toString();
    Class<?> target = e.getTargetType();
    String kind;
    if (target == null) {
      kind = "of another type";
    } else if (CharSequence.class.isAssignableFrom(target) || target.isEnum()) {
      kind = "a string";
    } else if (target == Boolean.class || target == boolean.class) {
      kind = "a boolean";
    } else if (target == Integer.class || target == int.class || target == Long.class
        || target == long.class) {
      kind = "a whole number";
    } else if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
      kind = "a number";
    } else if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
      kind = "an array";
    } else if (ObjectNode.class.isAssignableFrom(target) || java.util.Map.class.isAssignableFrom(target)
        || target.isRecord()) {
      kind = "a JSON object";
    } else {
      kind = "of another type";
    }
    return name + " must be " + kind;
  }

  private static ObjectMapper strictCopy(ObjectMapper json) {
    ObjectMapper strict = json.copy();
    strict.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    strict.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);
    strict.configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, false);
    strict.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
    // A number, boolean or container is no string, and a string no number or boolean.
    strict.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float,
        LogicalType.Boolean}) {
      strict.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    // A JSON float is no whole number ("expiresIn": 1.5).
    strict.configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
    return strict;
  }

  /** The body as a JSON object; 400 if empty, too large, malformed or not an object. */
  public ObjectNode object(InputStream body) {
    return parse(read(body));
  }

  /**
   * The body's bytes exactly as sent, up to the size limit (400 beyond it): what a provider
   * webhook's signature is computed over. {@link #object(byte[])} then reads them.
   */
  public byte[] bytes(InputStream body) {
    return read(body);
  }

  /** Bytes from {@link #bytes} as a JSON object; 400 as {@link #object(InputStream)} says. */
  public ObjectNode object(byte[] body) {
    return parse(body);
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
    return wholeNumber(body.get(field), field);
  }

  /**
   * A field bound as a {@link JsonNode} read as a whole number: {@code 7} or {@code 7.0};
   * null when absent or null; 400 "field must be a whole number" otherwise.
   */
  public static Long wholeNumber(JsonNode v, String field) {
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
