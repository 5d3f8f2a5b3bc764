package dev.interlock.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.server.errors.InvalidRequest;
import java.util.Locale;
import java.util.Set;

/**
 * A question with options, as every door that asks one reads it (Loopgate's requests, MCP's
 * {@code ask_human}), and the answer it gets.
 */
public final class Questions {

  public static final int MAX_OPTIONS = 50;

  private Questions() {}

  /** The options of a question: null when absent or empty, else non-empty strings. */
  public static ArrayNode options(ObjectNode in, String field) {
    JsonNode node = in.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw new InvalidRequest(field + " must be an array of strings");
    }
    if (node.size() > MAX_OPTIONS) {
      throw new InvalidRequest(field + " may have at most " + MAX_OPTIONS + " entries");
    }
    for (JsonNode option : node) {
      if (!option.isTextual() || option.asText().isBlank()) {
        throw new InvalidRequest(field + " must be an array of non-empty strings");
      }
      JsonBodies.limit(option.asText(), "each option", 1000);
    }
    return node.isEmpty() ? null : (ArrayNode) node;
  }

  /** Answers that mean "no" when the responder does not say approved explicitly. */
  private static final Set<String> REJECTIONS =
      Set.of("reject", "rejected", "deny", "denied", "cancel", "no", "decline");

  /** Whether a free-text answer means "no" (case and surrounding blanks ignored). */
  public static boolean isRejection(String answer) {
    return answer != null && REJECTIONS.contains(answer.trim().toLowerCase(Locale.ROOT));
  }

  /** The answer: the person's words, else the bare decision (null while pending). */
  public static String answer(InterruptRow row) {
    return row.response() != null ? row.response() : row.decision();
  }
}
