package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every tool that {@code tools/list} lists, called with arguments that violate its input
 * schema (required ones missing, each property of the wrong type, huge strings and deeply
 * nested junk where they do not belong, NUL characters), answers a tool error or a
 * JSON-RPC error: never a crash, never an internal error, and nothing stored. The bad
 * arguments are derived from each tool's {@code inputSchema}, so a new tool is covered
 * without touching this test.
 */
class McpBadArgumentsTest {

  @TempDir static Path data;
  static TestApp app;
  static McpSyncClient admin;

  @BeforeAll
  static void start() {
    // A blocking tool that wrongly accepted bad arguments would wait for a person: briefly.
    app = new TestApp(data, ConfigOverride.config("mcp.maxBlockingWait", "1s"),
        ConfigOverride.config("mcp.progressInterval", "1s")).start();
    admin = McpClients.connect(app, ADMIN_KEY);
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.closeGracefully();
    }
    if (app != null) {
      app.close();
    }
  }

  static final String HUGE = "x".repeat(200_000);
  static final BigInteger HUGE_NUMBER = BigInteger.TEN.pow(400);

  /** {"a": [{"a": [ ... ]}]}, nested far deeper than any real argument. */
  static Object nestedJunk(int depth) {
    Object junk = List.of("junk", 1, true);
    for (int i = 0; i < depth; i++) {
      junk = Map.of("a", List.of(junk), "b", i);
    }
    return junk;
  }

  /** A value of the declared type, to fill the other required properties with. */
  static Object plausible(JsonNode property) {
    if (property.has("enum")) {
      return property.get("enum").get(0).asText();
    }
    return switch (property.path("type").asText("string")) {
      case "object" -> Map.of();
      case "array" -> List.of("fuzz");
      case "integer" -> 1;
      case "number" -> 60;
      case "boolean" -> true;
      default -> "fuzz";
    };
  }

  /** Values that are not of the property's declared type (or not in its enum). */
  static List<Object> wrongTyped(JsonNode property) {
    List<Object> values = new ArrayList<>();
    String type = property.path("type").asText("string");
    if (!type.equals("string")) {
      values.add(HUGE);
      values.add("not a " + type);
    }
    if (!type.equals("number") && !type.equals("integer")) {
      values.add(12345);
      values.add(HUGE_NUMBER);
    }
    if (type.equals("integer")) {
      values.add(1.5);
    }
    if (!type.equals("boolean")) {
      values.add(true);
    }
    if (!type.equals("object")) {
      values.add(nestedJunk(300));
    }
    if (!type.equals("array")) {
      values.add(List.of(nestedJunk(50), HUGE));
    } else if (property.path("items").path("type").asText("").equals("string")) {
      values.add(List.of(nestedJunk(50), 7));
    }
    if (property.has("enum")) {
      values.add("not-one-of-the-enum");
      values.add(HUGE);
    }
    return values;
  }

  /** {@code mustRefuse} is false only where the schema allows anything (no properties). */
  record Case(String tool, String what, Map<String, Object> arguments, boolean mustRefuse) {
    Case(String tool, String what, Map<String, Object> arguments) {
      this(tool, what, arguments, true);
    }
  }

  static List<Case> cases(McpSchema.Tool tool) {
    JsonNode schema = TestApp.JSON.valueToTree(tool.inputSchema());
    JsonNode properties = schema.path("properties");
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    List<Case> cases = new ArrayList<>();

    if (!required.isEmpty()) {
      cases.add(new Case(tool.name(), "no arguments", new LinkedHashMap<>()));
      Map<String, Object> junk = new LinkedHashMap<>();
      properties.fieldNames().forEachRemaining(p -> {
        if (!required.contains(p)) {
          junk.put(p, nestedJunk(300));
        }
      });
      junk.put("unexpected", HUGE);
      cases.add(new Case(tool.name(), "required missing, junk elsewhere", junk));
    }
    properties.fields().forEachRemaining(p -> {
      for (Object bad : wrongTyped(p.getValue())) {
        Map<String, Object> arguments = base(properties, required);
        arguments.put(p.getKey(), bad);
        cases.add(new Case(tool.name(), p.getKey() + " = " + describe(bad), arguments));
      }
      if (p.getValue().path("type").asText("string").equals("string")) {
        Map<String, Object> arguments = base(properties, required);
        arguments.put(p.getKey(), "nul\u0000inside");
        cases.add(new Case(tool.name(), p.getKey() + " with a NUL character", arguments));
      }
    });
    if (cases.isEmpty()) {
      // Nothing the schema declares can be violated; junk must still do no harm.
      cases.add(new Case(tool.name(), "undeclared junk",
          Map.of("junk", nestedJunk(300), "huge", HUGE, "nul", "a\u0000b"), false));
    }
    return cases;
  }

  static Map<String, Object> base(JsonNode properties, List<String> required) {
    Map<String, Object> arguments = new LinkedHashMap<>();
    required.forEach(r -> arguments.put(r, plausible(properties.path(r))));
    return arguments;
  }

  static String describe(Object value) {
    String s = value instanceof String t && t.length() > 40 ? "a string of " + t.length()
        : value instanceof BigInteger ? "10^400" : String.valueOf(value);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  static long count(String table) {
    return app.jdbi().withHandle(h -> h.createQuery("select count(*) from " + table)
        .mapTo(Long.class).one());
  }

  @Test
  void givenEveryListedTool_whenCalledWithSchemaViolatingArguments_thenAnErrorAndNothingStored() {
    List<McpSchema.Tool> tools = admin.listTools().tools();
    assertThat(tools).hasSizeGreaterThanOrEqualTo(21);
    long interrupts = count("interrupts");
    long policies = count("policies");
    long sessions = count("hitl_sessions");
    long issues = count("engine_issues");
    long signals = count("engine_signals");
    long comments = count("engine_comments");

    List<String> wrong = new ArrayList<>();
    int calls = 0;
    for (McpSchema.Tool tool : tools) {
      List<Case> cases = cases(tool);
      for (Case c : cases) {
        calls++;
        String where = c.tool() + " with " + c.what() + ": ";
        try {
          CallToolResult result = admin.callTool(new McpSchema.CallToolRequest(c.tool(), c.arguments()));
          String text = result.content().isEmpty() ? ""
              : ((McpSchema.TextContent) result.content().get(0)).text();
          if (!Boolean.TRUE.equals(result.isError()) && c.mustRefuse()) {
            wrong.add(where + "accepted: " + abbreviate(text));
          } else if (text.startsWith("Internal server error")) {
            wrong.add(where + "crashed: " + text);
          }
        } catch (McpError e) {
          // A JSON-RPC error: refused before the tool ran, which is fine.
        }
      }
    }
    assertThat(calls).isGreaterThan(200);
    assertThat(wrong).as("schema-violating calls not refused cleanly").isEmpty();
    assertThat(count("interrupts")).as("interrupts stored").isEqualTo(interrupts);
    assertThat(count("policies")).as("policies stored").isEqualTo(policies);
    assertThat(count("hitl_sessions")).as("sessions stored").isEqualTo(sessions);
    assertThat(count("engine_issues")).as("Loop issues stored").isEqualTo(issues);
    assertThat(count("engine_signals")).as("Loop signals stored").isEqualTo(signals);
    assertThat(count("engine_comments")).as("Loop comments stored").isEqualTo(comments);

    // The endpoint still works after all of it.
    assertThat(admin.listTools().tools()).hasSameSizeAs(tools);
  }

  static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }
}
