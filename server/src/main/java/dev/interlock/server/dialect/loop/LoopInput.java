package dev.interlock.server.dialect.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.service.engine.Change;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of Loop's request bodies. A body that is no JSON object is the core's 400
 * (from {@code JsonBodies}); a field of the wrong kind, out of range or missing is Loop's
 * 422 ({@code {"error": "title must be at most 500 characters"}}), as its document says for
 * every write. Query parameters are checked by {@link #query} helpers and answer 400.
 *
 * <p>Absent fields read as null; on updates, {@link Change} tells "absent" (null) from "set
 * to null" ({@code Change.to(null)}).
 */
final class LoopInput {

  /** Text fields the document leaves unbounded are bounded here (the body is 1 MiB at most). */
  static final int LONG_TEXT = 100_000;
  static final int SHORT_TEXT = 500;

  private final ObjectNode body;

  private LoopInput(ObjectNode body) {
    this.body = body;
  }

  static LoopInput of(ObjectNode body) {
    return new LoopInput(body);
  }

  static Refusal invalid(String message) {
    return new Refusal(422, "validation_error", message);
  }

  static Refusal badQuery(String message) {
    return new Refusal(400, "validation_error", message);
  }

  boolean has(String field) {
    return body.has(field);
  }

  // ---- text ----------------------------------------------------------------------------------

  /** A string of {@code min} to {@code max} characters; required. */
  String required(String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw invalid(field + " is required");
    }
    return text(field, v, min, max);
  }

  /** A string of {@code min} to {@code max} characters, or null when absent or null. */
  String optional(String field, int min, int max) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : text(field, v, min, max);
  }

  /**
   * On an update: null when absent; a string of {@code min} to {@code max} characters when
   * given; null is refused (the field cannot be cleared).
   */
  String notNull(String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    if (v.isNull()) {
      throw invalid(field + " must be a string");
    }
    return text(field, v, min, max);
  }

  /** On an update: null when absent, else the new value (null clears). */
  Change<String> change(String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    return Change.to(v.isNull() ? null : text(field, v, min, max));
  }

  private static String text(String field, JsonNode v, int min, int max) {
    if (!v.isTextual()) {
      throw invalid(field + " must be a string");
    }
    String s = v.textValue();
    if (min > 0 && s.isBlank()) {
      throw invalid(field + " must not be empty");
    }
    if (s.length() < min) {
      throw invalid(field + " must be at least " + min + " characters");
    }
    if (s.length() > max) {
      throw invalid(field + " must be at most " + max + " characters");
    }
    return s;
  }

  /** One of {@code values}, or null when absent; null itself is refused. */
  String oneOf(String field, List<String> values) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual() || !values.contains(v.textValue())) {
      throw invalid(field + " must be one of " + String.join(", ", values));
    }
    return v.textValue();
  }

  String requiredOneOf(String field, List<String> values) {
    if (!body.has(field) || body.get(field).isNull()) {
      throw invalid(field + " is required");
    }
    return oneOf(field, values);
  }

  // ---- numbers and flags -----------------------------------------------------------------------

  /** A whole number in range, or null when absent; null itself is refused. */
  Integer integer(String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    boolean whole = v.isIntegralNumber() && v.canConvertToInt()
        || v.isNumber() && v.asDouble() == Math.rint(v.asDouble());
    if (!whole || v.asDouble() < min || v.asDouble() > max) {
      throw invalid(field + " must be a whole number from " + min + " to " + max);
    }
    return v.asInt();
  }

  /** On an update: null when absent, else the new number (null clears). */
  Change<Double> number(String field) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    if (v.isNull()) {
      return Change.to(null);
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw invalid(field + " must be a number");
    }
    return Change.to(v.asDouble());
  }

  boolean flag(String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw invalid(field + " must be a boolean");
    }
    return v.booleanValue();
  }

  // ---- structures ------------------------------------------------------------------------------

  /** On an update: null when absent, else the new object (null clears). */
  Change<JsonNode> object(String field) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    if (!v.isNull() && !v.isObject()) {
      throw invalid(field + " must be a JSON object");
    }
    return Change.to(v.isNull() ? null : v);
  }

  /** A list of ids, or null when absent or null. */
  List<String> ids(String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw invalid(field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual() || item.textValue().isBlank() || item.textValue().length() > 200) {
        throw invalid(field + " must be an array of ids");
      }
      out.add(item.textValue());
    }
    if (out.size() > 100) {
      throw invalid(field + " must hold at most 100 ids");
    }
    return out;
  }

  /**
   * Loop's {@code HypothesisData}: {@code statement}, {@code confidence} (0 to 1),
   * {@code evidence} (strings) and {@code validationCriteria} required, {@code prediction}
   * optional. On an update: null when absent; null clears.
   */
  Change<JsonNode> hypothesis() {
    Change<JsonNode> h = object("hypothesis");
    if (h == null || h.value() == null) {
      return h;
    }
    JsonNode o = h.value();
    nested("hypothesis.statement", o.get("statement"), true);
    JsonNode confidence = o.get("confidence");
    if (confidence == null || confidence.isNull()) {
      throw invalid("hypothesis.confidence is required");
    }
    if (!confidence.isNumber() || confidence.asDouble() < 0 || confidence.asDouble() > 1) {
      throw invalid("hypothesis.confidence must be a number from 0 to 1");
    }
    JsonNode evidence = o.get("evidence");
    if (evidence == null || evidence.isNull()) {
      throw invalid("hypothesis.evidence is required");
    }
    boolean strings = evidence.isArray();
    for (JsonNode e : evidence) {
      strings &= e.isTextual();
    }
    if (!strings) {
      throw invalid("hypothesis.evidence must be an array of strings");
    }
    nested("hypothesis.validationCriteria", o.get("validationCriteria"), true);
    nested("hypothesis.prediction", o.get("prediction"), false);
    if (o.has("prediction") && o.get("prediction").isNull()) {
      // Loop's HypothesisData has no null prediction: a null one is no prediction.
      ((com.fasterxml.jackson.databind.node.ObjectNode) o).remove("prediction");
    }
    return h;
  }

  private static void nested(String name, JsonNode v, boolean required) {
    if (v == null || v.isNull()) {
      if (required) {
        throw invalid(name + " is required");
      }
      return;
    }
    text(name, v, required ? 1 : 0, LONG_TEXT);
  }

  /**
   * On an update: an array of objects each with the string fields {@code required} (Loop's
   * {@code CommitRef} and {@code PullRequestRef}), null when absent; null clears.
   */
  /**
   * An array of objects whose fields are typed as {@code "name:type"} (type {@code string},
   * {@code number}, or {@code string?} for a string or null; a {@code !} after the name:
   * required). Other fields are kept as sent.
   */
  Change<JsonNode> records(String field, String... fields) {
    JsonNode v = body.get(field);
    if (v == null) {
      return null;
    }
    if (v.isNull()) {
      return Change.to(null);
    }
    if (!v.isArray()) {
      throw invalid(field + " must be an array of objects");
    }
    for (JsonNode item : v) {
      if (!item.isObject()) {
        throw invalid(field + " must be an array of objects");
      }
      for (String spec : fields) {
        String name = spec.substring(0, spec.indexOf(':'));
        String type = spec.substring(spec.indexOf(':') + 1);
        boolean required = name.endsWith("!");
        name = required ? name.substring(0, name.length() - 1) : name;
        JsonNode f = item.get(name);
        if (f == null || f.isNull()) {
          if (required) {
            throw invalid("each of " + field + " needs " + name);
          }
          if (f != null && !type.endsWith("?")) {
            throw invalid(field + "[]." + name + " must be a " + type);
          }
          continue;
        }
        boolean ok = type.startsWith("string") ? f.isTextual() : f.isNumber();
        if (!ok) {
          throw invalid(field + "[]." + name + " must be a " + (type.startsWith("string")
              ? "string" : "number") + (type.endsWith("?") ? " or null" : ""));
        }
      }
    }
    return Change.to(v);
  }

  // ---- query parameters --------------------------------------------------------------------------

  /** A comma-separated list of known values, or null when absent or empty; 400 otherwise. */
  static List<String> queryList(String name, String value, List<String> values) {
    if (value == null || value.isBlank()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String v = part.trim();
      if (v.isEmpty()) {
        continue;
      }
      if (!values.contains(v)) {
        throw badQuery(name + " must be a comma-separated list of: " + String.join(", ", values));
      }
      out.add(v);
    }
    return out.isEmpty() ? null : out;
  }

  /** A whole number in range, or null when absent or empty; 400 otherwise. */
  static Integer queryInt(String name, String value, int min, int max) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw badQuery(name + " must be a whole number from " + min + " to " + max);
  }

  /** A query value as given, or null when absent or empty. */
  static String queryText(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
