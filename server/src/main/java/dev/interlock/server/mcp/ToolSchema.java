package dev.interlock.server.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Builds the JSON Schema ({@code type: object}) of a tool's arguments, field by field. */
public final class ToolSchema {

  private final ObjectNode schema = JsonNodeFactory.instance.objectNode();
  private final ObjectNode properties = schema.put("type", "object").putObject("properties");
  private final ArrayNode required = JsonNodeFactory.instance.arrayNode();

  public static ToolSchema object() {
    return new ToolSchema();
  }

  public ToolSchema string(String name, boolean isRequired, String description) {
    field(name, isRequired, description).put("type", "string");
    return this;
  }

  public ToolSchema dateTime(String name, String description) {
    field(name, false, description).put("type", "string").put("format", "date-time");
    return this;
  }

  public ToolSchema oneOf(String name, boolean isRequired, List<String> values, String description) {
    ObjectNode f = field(name, isRequired, description).put("type", "string");
    values.forEach(f.putArray("enum")::add);
    return this;
  }

  public ToolSchema number(String name, boolean isRequired, String description) {
    field(name, isRequired, description).put("type", "number");
    return this;
  }

  public ToolSchema integer(String name, String description) {
    field(name, false, description).put("type", "integer");
    return this;
  }

  public ToolSchema bool(String name, String description) {
    field(name, false, description).put("type", "boolean");
    return this;
  }

  public ToolSchema json(String name, boolean isRequired, String description) {
    field(name, isRequired, description).put("type", "object");
    return this;
  }

  public ToolSchema strings(String name, String description) {
    field(name, false, description).put("type", "array").putObject("items").put("type", "string");
    return this;
  }

  public ToolSchema objects(String name, boolean isRequired, String description) {
    field(name, isRequired, description).put("type", "array").putObject("items")
        .put("type", "object");
    return this;
  }

  public ObjectNode build() {
    ObjectNode out = schema.deepCopy();
    if (!required.isEmpty()) {
      out.set("required", required.deepCopy());
    }
    return out;
  }

  private ObjectNode field(String name, boolean isRequired, String description) {
    if (isRequired) {
      required.add(name);
    }
    return properties.putObject(name).put("description", description);
  }
}
