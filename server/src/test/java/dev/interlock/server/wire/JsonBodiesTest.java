package dev.interlock.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.InvalidRequest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

  record Inner(String name) {}

  record Body(String text, Integer count, Boolean flag, List<String> tags, Inner inner,
      JsonNode anything) {}

  private final ObjectMapper json = new ObjectMapper();
  private final JsonBodies bodies = new JsonBodies(json, 256);

  private Body read(String body) {
    return bodies.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
        Body.class);
  }

  private static void refused(Runnable call, String message) {
    assertThatThrownBy(call::run).isInstanceOf(InvalidRequest.class).hasMessage(message);
  }

  @Test
  void givenFieldsOfTheirKinds_whenRead_thenBoundAndUnknownFieldsIgnored() {
    Body b = read("{\"text\":\"a\",\"count\":2,\"flag\":true,\"tags\":[\"x\"],"
        + "\"inner\":{\"name\":\"n\"},\"anything\":[1],\"extra\":1}");
    assertThat(b).isEqualTo(new Body("a", 2, true, List.of("x"), new Inner("n"),
        json.createArrayNode().add(1)));
  }

  @Test
  void givenAValueOfAnotherKind_whenRead_thenFieldNamedInOurWords() {
    refused(() -> read("{\"text\":5}"), "text must be a string");
    refused(() -> read("{\"text\":true}"), "text must be a string");
    refused(() -> read("{\"count\":\"5\"}"), "count must be a whole number");
    refused(() -> read("{\"count\":1.5}"), "count must be a whole number");
    refused(() -> read("{\"flag\":\"true\"}"), "flag must be a boolean");
    refused(() -> read("{\"tags\":\"x\"}"), "tags must be an array");
    refused(() -> read("{\"tags\":[1]}"), "tags[0] must be a string");
    refused(() -> read("{\"inner\":{\"name\":1}}"), "inner.name must be a string");
  }

  @Test
  void givenBadBodies_whenRead_thenRefusedAsBefore() {
    refused(() -> read(""), "Request body must be a JSON object");
    refused(() -> read("[1]"), "Request body must be a JSON object");
    refused(() -> read("{"), "Malformed JSON body");
    refused(() -> read("{\"text\":\"" + "x".repeat(300) + "\"}"), "Request body exceeds 256 bytes");
    refused(() -> read("{\"text\":\"a\\u0000b\"}"), JsonBodies.NUL_MESSAGE);
  }

  @Test
  void givenArgumentsAlreadyParsed_whenBound_thenSameRules() {
    ObjectNode args = json.createObjectNode().put("text", 7);
    refused(() -> bodies.bind(args, Body.class), "text must be a string");
    assertThat(bodies.bind(json.createObjectNode(), Body.class).text()).isNull();
  }

  @Test
  void givenWholeNumbers_whenRead_thenFloatsWithoutFractionAccepted() {
    assertThat(JsonBodies.wholeNumber(json.getNodeFactory().numberNode(7.0), "n")).isEqualTo(7L);
    assertThat(JsonBodies.wholeNumber(null, "n")).isNull();
    refused(() -> JsonBodies.wholeNumber(json.getNodeFactory().textNode("7"), "n"),
        "n must be a whole number");
  }
}
