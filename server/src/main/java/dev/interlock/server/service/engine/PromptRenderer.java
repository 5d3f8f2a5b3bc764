package dev.interlock.server.service.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.helper.ConditionalHelpers;
import com.github.jknack.handlebars.helper.DefaultHelperRegistry;
import com.github.jknack.handlebars.io.AbstractTemplateLoader;
import com.github.jknack.handlebars.io.StringTemplateSource;
import com.github.jknack.handlebars.io.TemplateSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders prompt templates: Handlebars (jknack's Handlebars for Java), set up for plain-text
 * prompts written by workspace members.
 *
 * <ul>
 *   <li><b>No escaping.</b> A prompt is plain text read by an agent, not HTML: {@code <} and
 *       {@code &} in an issue's title reach the agent as written (HTML escaping would turn
 *       them into entities the agent must decode). Triple braces are therefore pointless and
 *       refused when a version is written ({@link #check}), as Loop refuses them.
 *   <li><b>Values only.</b> Templates read map keys and list items ({@link PromptValues});
 *       no Java getters, methods or fields. Helpers are Handlebars' block helpers
 *       ({@code if}, {@code unless}, {@code each}, {@code with}, {@code lookup}), the
 *       comparisons ({@code eq}, {@code neq}, {@code gt}, {@code gte}, {@code lt}, {@code lte},
 *       {@code and}, {@code or}, {@code not}) and Loop's {@code json} and
 *       {@code priority_label}; {@code i18n}, {@code i18nJs}, {@code embedded},
 *       {@code precompile} and {@code log} (which read resource bundles and template files,
 *       or write to the server's log) render nothing, and so does any unknown helper.
 *   <li><b>Partials</b> are Interlock's own ({@code engine/partials/*.hbs}) and inline
 *       partials a template defines; nothing is read from files a template names.
 *   <li>A missing value renders as nothing (not an error), as in Loop; an object or list
 *       printed whole renders as compact JSON.
 * </ul>
 *
 * <p>The context holds no credential: see {@link PromptBuilder}.
 */
final class PromptRenderer {

  /** The partials every template may include, by name. */
  static final List<String> PARTIALS = List.of("api_reference", "review_instructions",
      "parent_context", "family_context", "project_and_goal_context", "blockers_context",
      "previous_sessions", "labels");

  private static final Set<String> DISABLED_HELPERS =
      Set.of("i18n", "i18nJs", "embedded", "precompile", "log");
  private static final Pattern PARTIAL_USE =
      Pattern.compile("\\{\\{~?\\s*#?>\\s*(\"[^\"]*\"|'[^']*'|[^\\s}~]+)");
  private static final Pattern INLINE_PARTIAL =
      Pattern.compile("\\{\\{~?\\s*#\\*inline\\s+(\"[^\"]*\"|'[^']*')");
  private static final int CACHED = 256;

  private final Handlebars handlebars;
  private final Map<String, Template> compiled = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Template> eldest) {
          return size() > CACHED;
        }
      });

  PromptRenderer(ObjectMapper json) {
    Map<String, String> partials = new LinkedHashMap<>();
    for (String name : PARTIALS) {
      partials.put(name, resource("engine/partials/" + name + ".hbs"));
    }
    DefaultHelperRegistry helpers = new DefaultHelperRegistry() {
      @Override
      public <C> Helper<C> helper(String name) {
        return DISABLED_HELPERS.contains(name) ? null : super.helper(name);
      }
    };
    for (ConditionalHelpers h : ConditionalHelpers.values()) {
      helpers.registerHelper(h.name(), h);
    }
    helpers.registerHelper("json", (Object value, com.github.jknack.handlebars.Options o) -> {
      try {
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
      } catch (JsonProcessingException e) {
        return "";
      }
    });
    helpers.registerHelper("priority_label", (Object value, com.github.jknack.handlebars.Options o)
        -> value instanceof Number n ? priorityLabel(n.intValue()) : "none");
    // A helper that is not there (unknown, or disabled above) renders nothing.
    helpers.registerHelperMissing((Object context, com.github.jknack.handlebars.Options o) -> "");
    this.handlebars = new Handlebars(new PartialLoader(partials))
        .with(helpers)
        .with(EscapingStrategy.NOOP)
        // An object or a list printed as it is ({{issue.signalPayload}}) reads as JSON, not
        // as Java's toString.
        .with((Object value, com.github.jknack.handlebars.Formatter.Chain next) -> {
          if (value instanceof Map<?, ?> || value instanceof List<?>) {
            try {
              return json.writeValueAsString(value);
            } catch (JsonProcessingException e) {
              return "";
            }
          }
          return next.format(value);
        })
        .prettyPrint(true)
        .infiniteLoops(false);
  }

  static String priorityLabel(int priority) {
    return switch (priority) {
      case 1 -> "urgent";
      case 2 -> "high";
      case 3 -> "medium";
      case 4 -> "low";
      default -> "none";
    };
  }

  /** Why a version's text cannot be a prompt template, or null if it can. */
  String check(String content) {
    if (content.contains("{{{")) {
      return "Triple-brace syntax ({{{) is not allowed: prompts are not escaped, so use"
          + " double braces";
    }
    Set<String> known = new TreeSet<>(PARTIALS);
    Matcher inline = INLINE_PARTIAL.matcher(content);
    while (inline.find()) {
      known.add(unquote(inline.group(1)));
    }
    Matcher use = PARTIAL_USE.matcher(content);
    while (use.find()) {
      String name = unquote(use.group(1));
      if (name.startsWith("(") || name.startsWith("@")) {
        return "Partials must be named, not computed: " + use.group(1);
      }
      if (!known.contains(name)) {
        return "Unknown partial '" + name + "' (known: " + String.join(", ", PARTIALS) + ")";
      }
    }
    try {
      handlebars.compileInline(content);
    } catch (HandlebarsException e) {
      String message = e.getError() != null ? e.getError().reason : e.getMessage();
      return "content is not a valid Handlebars template: " + message;
    } catch (IOException | RuntimeException e) {
      return "content is not a valid Handlebars template";
    } catch (StackOverflowError e) {
      return "content is not a valid Handlebars template: nested too deeply";
    }
    return null;
  }

  /**
   * The template rendered with {@code model} (maps, lists and plain values only). Versions
   * never change, so each version's compiled template is kept (the most recent few hundred).
   */
  String render(String versionId, String content, Map<String, Object> model) throws IOException {
    Template template = compiled.get(versionId);
    if (template == null) {
      template = handlebars.compileInline(content);
      compiled.put(versionId, template);
    }
    Context context = Context.newBuilder(model).resolver(PromptValues.INSTANCE).build();
    try {
      return template.apply(context);
    } finally {
      context.destroy();
    }
  }

  private static String unquote(String name) {
    if (name.length() >= 2 && (name.startsWith("\"") || name.startsWith("'"))) {
      return name.substring(1, name.length() - 1);
    }
    return name;
  }

  static String resource(String path) {
    try (InputStream in = PromptRenderer.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Interlock's partials, and nothing else: a template cannot name a file to include. */
  private static final class PartialLoader extends AbstractTemplateLoader {

    private final Map<String, String> partials;

    PartialLoader(Map<String, String> partials) {
      this.partials = Map.copyOf(partials);
      setPrefix("");
      setSuffix("");
    }

    @Override
    public TemplateSource sourceAt(String location) throws IOException {
      String name = location.startsWith("/") ? location.substring(1) : location;
      String text = partials.get(name);
      if (text == null) {
        throw new FileNotFoundException("no partial " + name);
      }
      return new StringTemplateSource(name, text);
    }

    @Override
    public String resolve(String location) {
      return location;
    }
  }
}
