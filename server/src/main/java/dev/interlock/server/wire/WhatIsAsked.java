package dev.interlock.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;

/**
 * What an interrupt asks, for a dialect that has fewer places to show it than the interrupt
 * has parts. One interrupt, every door: an AgentGate request or an MCP {@code approval_prompt}
 * keeps the tool input a person approves in {@code params}, and a Loopgate question keeps its
 * choices in {@code options}; a door without those fields must still show them, or a
 * reviewer approves what they cannot see. Each part goes into the door's free-form object
 * (LoopIn's {@code context}, Loopgate's {@code metadata}, AgentGate's {@code context})
 * under its own name, unless the
 * caller's context already uses that name, which then wins and the part goes under
 * {@code interlock_<name>}.
 */
public final class WhatIsAsked {

  private WhatIsAsked() {}

  /** The context, with {@code params} and (when wanted) {@code options} added where present. */
  public static JsonNode contextWithParts(InterruptRow row, boolean withOptions) {
    return contextWithParts(row, true, withOptions);
  }

  /** The context, with {@code params} and {@code options} added as asked and where present. */
  public static JsonNode contextWithParts(InterruptRow row, boolean withParams,
      boolean withOptions) {
    JsonNode context = row.context();
    boolean hasParams = withParams && present(row.params());
    boolean hasOptions = withOptions && present(row.options());
    if (!hasParams && !hasOptions) {
      return context;
    }
    ObjectNode merged = context != null && context.isObject()
        ? ((ObjectNode) context).deepCopy()
        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    if (hasParams) {
      merged.set(freeName(merged, "params"), row.params());
    }
    if (hasOptions) {
      merged.set(freeName(merged, "options"), row.options());
    }
    return merged;
  }

  /** The interrupt's params as compact JSON, or null when it has none. */
  public static String paramsText(InterruptRow row) {
    return present(row.params()) ? row.params().toString() : null;
  }

  private static boolean present(JsonNode node) {
    return node != null && !node.isNull() && !(node.isContainerNode() && node.isEmpty());
  }

  private static String freeName(ObjectNode context, String name) {
    return context.has(name) ? "interlock_" + name : name;
  }
}
