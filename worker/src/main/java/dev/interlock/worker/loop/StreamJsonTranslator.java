package dev.interlock.worker.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the lines of Claude Code's stream-json output into loopat events, one line at a
 * time, for one turn. Not thread-safe: the reader thread of one {@link AgentProcess} owns it.
 *
 * <p>The lines it understands (the Agent SDK's message types):
 * <ul>
 *   <li>{@code system/init}: carries the session id;</li>
 *   <li>{@code stream_event}: with {@code --include-partial-messages}, the raw events of the
 *       model's streaming API; text and thinking deltas become events as they arrive;</li>
 *   <li>{@code assistant}: one complete model message (or, in some versions, one content
 *       block of it, repeated with the same {@code message.id});</li>
 *   <li>{@code user}: tool results sent back to the model;</li>
 *   <li>{@code result}: the end of the turn, successful or not.</li>
 * </ul>
 * Anything else is ignored, so a newer agent that adds line types keeps working.
 */
final class StreamJsonTranslator {

  private static final Logger LOG = LoggerFactory.getLogger(StreamJsonTranslator.class);

  /** The longest {@code input_summary}, in characters, the ellipsis included. */
  static final int SUMMARY_LIMIT = 200;

  private final AgentEvents events;
  private final ObjectMapper mapper;
  private volatile String sessionId; // read by the thread that ends the turn

  // With partial messages the agent first streams a message's text and thinking as deltas
  // and then writes the same message again, complete, as an "assistant" line. Both carry the
  // whole text, so the complete message's text and thinking must not be emitted a second
  // time (its tool_use blocks, which are not streamed as events, still are). The stream
  // names its message in message_start; the assistant line carries the same message.id.
  private final Set<String> streamedMessageIds = new HashSet<>();
  private String streamingMessageId;
  // The fallback when ids are missing: a delta was seen since the last assistant line.
  private boolean deltaSinceAssistant;

  StreamJsonTranslator(AgentEvents events, ObjectMapper mapper) {
    this.events = events;
    this.mapper = mapper;
  }

  /** The last session id the agent reported, or null. */
  String sessionId() {
    return sessionId;
  }

  /** Handles one line; answers the turn's result when the line is the result line. */
  Optional<AgentResult> accept(JsonNode line) {
    String type = line.path("type").asText("");
    switch (type) {
      case "system" -> system(line);
      case "stream_event" -> streamEvent(line.path("event"));
      case "assistant" -> assistant(line.path("message"));
      case "user" -> user(line.path("message"));
      case "result" -> {
        return Optional.of(result(line));
      }
      default -> LOG.debug("Ignoring agent output of type '{}'", type);
    }
    return Optional.empty();
  }

  private void system(JsonNode line) {
    if ("init".equals(line.path("subtype").asText())) {
      reportSession(text(line, "session_id"));
    }
  }

  private void streamEvent(JsonNode event) {
    switch (event.path("type").asText("")) {
      case "message_start" -> streamingMessageId = text(event.path("message"), "id");
      case "content_block_delta" -> {
        JsonNode delta = event.path("delta");
        switch (delta.path("type").asText("")) {
          case "text_delta" -> streamed("assistant_delta", text(delta, "text"));
          case "thinking_delta" -> streamed("thinking_delta", text(delta, "thinking"));
          default -> { } // tool input (input_json_delta) and signatures are not shown.
        }
      }
      default -> { }
    }
  }

  private void streamed(String name, String text) {
    deltaSinceAssistant = true;
    if (streamingMessageId != null) {
      streamedMessageIds.add(streamingMessageId);
    }
    textEvent(name, text);
  }

  private void assistant(JsonNode message) {
    String id = text(message, "id");
    boolean alreadyStreamed = id != null && !streamedMessageIds.isEmpty()
        ? streamedMessageIds.contains(id)
        : deltaSinceAssistant;
    deltaSinceAssistant = false;
    for (JsonNode block : message.path("content")) {
      switch (block.path("type").asText("")) {
        case "text" -> {
          if (!alreadyStreamed) {
            textEvent("assistant_delta", text(block, "text"));
          }
        }
        case "thinking" -> {
          if (!alreadyStreamed) {
            textEvent("thinking_delta", text(block, "thinking"));
          }
        }
        case "tool_use" -> {
          String tool = text(block, "name");
          events.event("tool_call", mapper.createObjectNode()
              .put("tool_use_id", text(block, "id"))
              .put("tool", tool)
              .put("input_summary", summarize(tool, block.path("input"))));
        }
        default -> { } // redacted thinking, server tools: nothing to show.
      }
    }
  }

  private void user(JsonNode message) {
    // A user line's content is a string for a prompt and an array for tool results.
    for (JsonNode block : message.path("content")) {
      if ("tool_result".equals(block.path("type").asText())) {
        events.event("tool_result", mapper.createObjectNode()
            .put("tool_use_id", text(block, "tool_use_id"))
            .put("ok", !block.path("is_error").asBoolean(false)));
      }
    }
  }

  private AgentResult result(JsonNode line) {
    reportSession(text(line, "session_id"));
    String subtype = line.path("subtype").asText("");
    String resultText = text(line, "result");
    // Claude Code reports some failures (an invalid API key, for one) as subtype "success"
    // with is_error true, so both must say success.
    if ("success".equals(subtype) && !line.path("is_error").asBoolean(false)) {
      return AgentResult.done(resultText == null ? "" : resultText, sessionId);
    }
    return AgentResult.failed(AgentResult.ERROR, errorMessage(subtype, resultText, line),
        sessionId);
  }

  private static String errorMessage(String subtype, String resultText, JsonNode line) {
    if (resultText != null && !resultText.isBlank()) {
      return resultText;
    }
    // Error results of the Agent SDK (error_during_execution, error_max_turns, ...) carry
    // an "errors" array of strings instead of a "result" text.
    List<String> errors = new ArrayList<>();
    for (JsonNode error : line.path("errors")) {
      errors.add(error.isTextual() ? error.asText() : error.toString());
    }
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    return "the agent reported an error (" + (subtype.isEmpty() ? "no subtype" : subtype) + ")";
  }

  private void reportSession(String id) {
    if (id != null && !id.isEmpty()) {
      sessionId = id;
      events.session(id);
    }
  }

  private void textEvent(String name, String text) {
    if (text != null && !text.isEmpty()) {
      events.event(name, mapper.createObjectNode().put("text", text));
    }
  }

  /**
   * One line, at most {@link #SUMMARY_LIMIT} characters, saying what a tool call does: the
   * field a person recognises for the common tools, the compact input otherwise.
   */
  String summarize(String tool, JsonNode input) {
    String field = switch (tool == null ? "" : tool) {
      case "Bash" -> "command";
      case "Read", "Write", "Edit", "NotebookEdit" -> "file_path";
      case "Glob", "Grep" -> "pattern";
      case "WebFetch" -> "url";
      default -> null;
    };
    JsonNode value = field == null ? null : input.get(field);
    if (value == null && "NotebookEdit".equals(tool)) {
      value = input.get("notebook_path"); // Claude Code's NotebookEdit names its file so.
    }
    String summary = value != null && value.isTextual() ? value.asText() : compact(input);
    return oneLine(summary, SUMMARY_LIMIT);
  }

  private String compact(JsonNode input) {
    if (input == null || input.isMissingNode()) {
      return "";
    }
    try {
      return mapper.writeValueAsString(input);
    } catch (JsonProcessingException e) {
      return input.toString();
    }
  }

  /** Line breaks and control characters become spaces; a longer text is cut with "…". */
  static String oneLine(String text, int limit) {
    String line = text.replaceAll("\\R", " ").replaceAll("\\p{Cntrl}", " ").strip();
    if (line.length() <= limit) {
      return line;
    }
    int end = limit - 1;
    if (Character.isLowSurrogate(line.charAt(end)) && Character.isHighSurrogate(
        line.charAt(end - 1))) {
      end--; // never split a character outside the Basic Multilingual Plane in two.
    }
    return line.substring(0, end) + "…";
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
