package dev.interlock.server.service.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Handlebars set-up for prompts: plain text, values only (no Java reached through a value),
 * Interlock's partials only, the helpers Loop's templates use, and nothing that reads files or
 * bundles.
 */
class PromptRendererTest {

  static final PromptRenderer RENDERER = new PromptRenderer(new ObjectMapper());
  static final AtomicInteger IDS = new AtomicInteger();

  static String render(String content, Map<String, Object> model) throws Exception {
    assertThat(RENDERER.check(content)).as("check of " + content).isNull();
    return RENDERER.render("ver_test_" + IDS.incrementAndGet(), content, model);
  }

  static Map<String, Object> model() {
    Map<String, Object> issue = new LinkedHashMap<>();
    issue.put("id", "iss_1");
    issue.put("number", 7);
    issue.put("title", "Checkout <fails> & \"retries\"");
    issue.put("priority", 2);
    issue.put("signalPayload", Map.of("event", "error_rate", "value", 0.22));
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("issue", issue);
    model.put("siblings", List.of(Map.of("number", 8, "title", "Sibling", "status", "todo")));
    model.put("labels", List.of(Map.of("name", "bug"), Map.of("name", "checkout")));
    model.put("loopUrl", "https://loop.example");
    model.put("meta", Map.of("versionId", "ver_9"));
    return model;
  }

  @Test
  void givenValuesWithMarkup_whenRendered_thenTheyAreNotEscaped() throws Exception {
    assertThat(render("{{issue.title}} #{{issue.number}}", model()))
        .isEqualTo("Checkout <fails> & \"retries\" #7");
  }

  @Test
  void givenAValue_whenATemplateReachesForItsJavaSide_thenNothingIsPrinted() throws Exception {
    String out = render("[{{issue.class}}][{{issue.title.class.name}}][{{issue.getClass}}]"
        + "[{{issue.title.bytes}}][{{issue.title.length}}][{{issue.empty}}][{{issue.size}}]"
        + "[{{siblings.class}}][{{issue.number.class}}]", model());
    assertThat(out).isEqualTo("[][][][][][][][][]");
  }

  @Test
  void givenListsAndMaps_whenIterated_thenLengthIndexesAndEachWork() throws Exception {
    String out = render("{{siblings.length}} {{siblings.0.title}} {{#each labels}}{{name}}"
        + "{{#unless @last}},{{/unless}}{{/each}} {{#each issue.signalPayload}}{{@key}}{{/each}}",
        model());
    assertThat(out).startsWith("1 Sibling bug,checkout ").contains("event").contains("value");
  }

  @Test
  void givenAnObjectOrListPrintedWhole_whenRendered_thenItReadsAsJson() throws Exception {
    assertThat(render("{{labels}}", model())).isEqualTo("[{\"name\":\"bug\"},{\"name\":\"checkout\"}]");
    assertThat(render("{{issue.signalPayload.event}}", model())).isEqualTo("error_rate");
  }

  @Test
  void givenLoopsHelpers_whenUsed_thenJsonAndPriorityLabelAndComparisonsRender() throws Exception {
    assertThat(render("{{priority_label issue.priority}}", model())).isEqualTo("high");
    assertThat(render("{{#if (eq issue.number 7)}}seven{{/if}}", model())).isEqualTo("seven");
    assertThat(render("{{json issue.signalPayload}}", model()))
        .contains("\"event\" : \"error_rate\"").contains("\"value\" : 0.22");
  }

  @Test
  void givenHelpersThatReadBundlesOrFilesOrLog_whenUsed_thenTheyRenderNothing() throws Exception {
    assertThat(render("[{{i18n \"hello\"}}][{{i18nJs \"x\"}}][{{log \"x\"}}]"
        + "[{{embedded \"api_reference\"}}][{{precompile \"api_reference\"}}][{{nosuch 1}}]",
        model())).isEqualTo("[][][][][][]");
  }

  @Test
  void givenInterlocksPartials_whenIncluded_thenTheyRenderWithTheSameContext() throws Exception {
    String out = render("{{> review_instructions}}", model());
    assertThat(out).contains("https://loop.example/api/prompt-reviews")
        .contains("\"versionId\": \"ver_9\"").contains("\"issueId\": \"iss_1\"");
    assertThat(render("{{#*inline \"mine\"}}mine:{{issue.number}}{{/inline}}{{> mine}}",
        model())).isEqualTo("mine:7");
  }

  @Test
  void givenBadTemplates_whenChecked_thenEachIsRefusedWithAReason() {
    assertThat(RENDERER.check("{{{issue.title}}}")).contains("Triple-brace");
    assertThat(RENDERER.check("{{> /etc/passwd}}")).contains("Unknown partial '/etc/passwd'");
    assertThat(RENDERER.check("{{> ../../config.yml}}")).contains("Unknown partial");
    assertThat(RENDERER.check("{{> (lookup . 'x')}}")).contains("named");
    assertThat(RENDERER.check("{{#if issue}}unclosed")).contains("not a valid Handlebars");
    assertThat(RENDERER.check("{{> api_reference}} {{> labels}}")).isNull();
  }

  @Test
  void givenEveryDefaultTemplate_whenChecked_thenItIsAValidTemplate() {
    for (DefaultTemplates.Default d : DefaultTemplates.ALL) {
      assertThat(RENDERER.check(d.content())).as(d.slug()).isNull();
    }
  }

  @Test
  void givenAUrlWithUserInformation_whenServedAt_thenTheCredentialIsDropped() {
    assertThat(PromptBuilder.withoutUserInfo("https://ann:s3cret@loop.example:8443/base/"))
        .isEqualTo("https://loop.example:8443/base");
    assertThat(PromptBuilder.withoutUserInfo("http://interlock.test"))
        .isEqualTo("http://interlock.test");
    assertThat(PromptBuilder.withoutUserInfo(null)).isEmpty();
  }
}
