package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.InvalidRequest;

/** Reading tool arguments that REST takes from the path or the query string. */
public final class Arguments {

  private Arguments() {}

  /**
   * A scalar argument as the text a query string would carry (a number stays a number's
   * text), or null when absent; the dialect's parser then validates it as REST does.
   */
  public static String scalar(ObjectNode arguments, String field) {
    JsonNode v = arguments.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new InvalidRequest(field + " must be a string or a number");
    }
    return v.asText();
  }

  /**
   * A string argument (a filter the schema declares as a string), or null when absent. A
   * number or boolean is refused rather than read as its text: it is not what the schema
   * allows, and a filter that silently matched nothing would hide the caller's mistake.
   */
  public static String text(ObjectNode arguments, String field) {
    JsonNode v = arguments.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequest(field + " must be a string");
    }
    return v.asText();
  }
}
