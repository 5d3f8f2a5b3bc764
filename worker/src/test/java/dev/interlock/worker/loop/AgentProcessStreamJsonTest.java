package dev.interlock.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The stream-json mapping line by line, for shapes the fake agent does not produce: what
 * other Claude Code versions write, and the edges of tool summaries.
 */
class AgentProcessStreamJsonTest {

  final ObjectMapper mapper = new ObjectMapper();
  final AgentProcessTest.Recorder events = new AgentProcessTest.Recorder();
  final StreamJsonTranslator translator = new StreamJsonTranslator(events, mapper);

  @Test
  void givenAssistantLinesPerBlockSharingAStreamedMessageId_thenNoTextIsRepeated() {
    // Some versions write a streamed message as one assistant line per content block, all
    // after the stream: a flag reset by the first line would let the second one repeat.
    accept("""
        {"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1"}}}""");
    accept(delta("thinking_delta", "thinking", "hm"));
    accept(delta("text_delta", "text", "Hel"));
    accept(delta("text_delta", "text", "lo"));
    accept("""
        {"type":"assistant","message":{"id":"msg_1","content":[
          {"type":"thinking","thinking":"hm"}]}}""");
    accept("""
        {"type":"assistant","message":{"id":"msg_1","content":[{"type":"text","text":"Hello"}]}}""");
    accept("""
        {"type":"assistant","message":{"id":"msg_1","content":[
          {"type":"tool_use","id":"toolu_9","name":"Glob","input":{"pattern":"**/*.java"}}]}}""");

    assertThat(events.lines()).containsExactly(
        "thinking_delta {\"text\":\"hm\"}",
        "assistant_delta {\"text\":\"Hel\"}",
        "assistant_delta {\"text\":\"lo\"}",
        "tool_call {\"tool_use_id\":\"toolu_9\",\"tool\":\"Glob\",\"input_summary\":\"**/*.java\"}");
  }

  @Test
  void givenAMessageThatWasNotStreamed_thenItsTextIsEmitted() {
    accept("""
        {"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1"}}}""");
    accept(delta("text_delta", "text", "one"));
    accept("""
        {"type":"assistant","message":{"id":"msg_1","content":[{"type":"text","text":"one"}]}}""");
    accept("""
        {"type":"assistant","message":{"id":"msg_2","content":[{"type":"text","text":"two"}]}}""");

    assertThat(events.texts("assistant_delta")).containsExactly("one", "two");
  }

  @Test
  void givenStreamEventsWithoutIds_thenTheNextAssistantMessageIsSkippedOnce() {
    accept(delta("text_delta", "text", "streamed"));
    accept("""
        {"type":"assistant","message":{"content":[{"type":"text","text":"streamed"}]}}""");
    accept("""
        {"type":"assistant","message":{"content":[{"type":"text","text":"whole"}]}}""");

    assertThat(events.texts("assistant_delta")).containsExactly("streamed", "whole");
  }

  @Test
  void givenToolResults_thenOkIsTheOppositeOfIsError() {
    accept("""
        {"type":"user","message":{"role":"user","content":[
          {"type":"tool_result","tool_use_id":"a","content":"x","is_error":true},
          {"type":"tool_result","tool_use_id":"b","content":"y"},
          {"type":"text","text":"not a result"}]}}""");
    accept("""
        {"type":"user","message":{"role":"user","content":"a plain prompt"}}""");

    assertThat(events.lines()).containsExactly(
        "tool_result {\"tool_use_id\":\"a\",\"ok\":false}",
        "tool_result {\"tool_use_id\":\"b\",\"ok\":true}");
  }

  @Test
  void givenInitAndResult_thenTheSessionIsReportedAndTheTurnIsDone() {
    accept("""
        {"type":"system","subtype":"init","session_id":"s-1","tools":[]}""");
    Optional<AgentResult> result = accept("""
        {"type":"result","subtype":"success","is_error":false,"result":"all good",
         "session_id":"s-2"}""");

    assertThat(events.sessions).containsExactly("s-1", "s-2");
    assertThat(result).contains(AgentResult.done("all good", "s-2"));
  }

  @Test
  void givenSuccessSubtypeWithIsError_thenAgentErrorWithTheResultText() {
    // Claude Code reports, for example, a bad API key so.
    Optional<AgentResult> result = accept("""
        {"type":"result","subtype":"success","is_error":true,
         "result":"Invalid API key · Please run /login","session_id":"s-1"}""");

    assertThat(result).contains(
        AgentResult.failed(AgentResult.ERROR, "Invalid API key · Please run /login", "s-1"));
  }

  @Test
  void givenAnErrorSubtypeWithErrors_thenAgentErrorWithTheErrorsJoined() {
    Optional<AgentResult> result = accept("""
        {"type":"result","subtype":"error_max_turns","is_error":true,
         "errors":["too many turns","gave up"],"session_id":"s-1"}""");

    assertThat(result).contains(
        AgentResult.failed(AgentResult.ERROR, "too many turns; gave up", "s-1"));
  }

  @Test
  void givenAnErrorSubtypeWithoutDetails_thenTheMessageNamesTheSubtype() {
    Optional<AgentResult> result = accept("""
        {"type":"result","subtype":"error_during_execution","is_error":true}""");

    assertThat(result.orElseThrow().message()).contains("error_during_execution");
  }

  @Test
  void givenUnknownTypes_thenNothingHappens() {
    assertThat(accept("{\"type\":\"control_request\",\"request\":{}}")).isEmpty();
    assertThat(accept("{\"type\":\"system\",\"subtype\":\"compact_boundary\"}")).isEmpty();
    assertThat(accept("{\"no_type\":true}")).isEmpty();

    assertThat(events.lines()).isEmpty();
    assertThat(events.sessions).isEmpty();
  }

  @Test
  void summariesShowTheFieldAPersonRecognises() {
    assertThat(summary("Bash", "{\"command\":\"mvn -q verify\",\"timeout\":5}"))
        .isEqualTo("mvn -q verify");
    assertThat(summary("Read", "{\"file_path\":\"/a/b.txt\",\"limit\":5}")).isEqualTo("/a/b.txt");
    assertThat(summary("Write", "{\"file_path\":\"/w\",\"content\":\"x\"}")).isEqualTo("/w");
    assertThat(summary("Edit", "{\"file_path\":\"/e\",\"old_string\":\"a\"}")).isEqualTo("/e");
    assertThat(summary("NotebookEdit", "{\"file_path\":\"/n.ipynb\"}")).isEqualTo("/n.ipynb");
    assertThat(summary("NotebookEdit", "{\"notebook_path\":\"/m.ipynb\",\"new_source\":\"x\"}"))
        .isEqualTo("/m.ipynb");
    assertThat(summary("Glob", "{\"pattern\":\"**/*.py\"}")).isEqualTo("**/*.py");
    assertThat(summary("Grep", "{\"pattern\":\"TODO\",\"path\":\"src\"}")).isEqualTo("TODO");
    assertThat(summary("WebFetch", "{\"url\":\"https://example.com\",\"prompt\":\"p\"}"))
        .isEqualTo("https://example.com");
    assertThat(summary("mcp__github__create_issue", "{\"title\":\"Bug\",\"labels\":[\"x\"]}"))
        .isEqualTo("{\"title\":\"Bug\",\"labels\":[\"x\"]}");
    assertThat(summary("Bash", "{\"description\":\"no command\"}"))
        .isEqualTo("{\"description\":\"no command\"}");
  }

  @Test
  void summariesAreOneLine() {
    assertThat(summary("Bash", "{\"command\":\"cd /x &&\\nmake\\r\\n\\ttest\"}"))
        .isEqualTo("cd /x && make  test"); // one space per line break, one for the tab
  }

  @Test
  void longSummariesAreCutTo200CharactersWithAnEllipsis() {
    String command = "echo " + "a".repeat(300);

    String summary = summary("Bash", "{\"command\":\"" + command + "\"}");

    assertThat(summary).hasSize(200).endsWith("…").startsWith(command.substring(0, 199));
    assertThat(summary("Bash", "{\"command\":\"" + "b".repeat(200) + "\"}"))
        .isEqualTo("b".repeat(200));
  }

  @Test
  void cuttingNeverSplitsACharacterInTwo() {
    // 198 ASCII characters, then emoji (two UTF-16 units each): unit 199 is the first half
    // of an emoji, which must go whole.
    String command = "x".repeat(198) + "😀😀😀";

    String summary = summary("Bash", "{\"command\":\"" + command + "\"}");

    assertThat(summary).isEqualTo("x".repeat(198) + "…");
  }

  private String summary(String tool, String input) {
    return translator.summarize(tool, parse(input));
  }

  private static String delta(String type, String field, String text) {
    return """
        {"type":"stream_event","event":{"type":"content_block_delta","index":0,
          "delta":{"type":"%s","%s":"%s"}}}""".formatted(type, field, text);
  }

  private Optional<AgentResult> accept(String line) {
    return translator.accept(parse(line));
  }

  private com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
