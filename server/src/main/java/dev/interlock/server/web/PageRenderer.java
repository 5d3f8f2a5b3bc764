package dev.interlock.server.web;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheFactory;
import io.dropwizard.views.common.View;
import io.dropwizard.views.common.ViewRenderException;
import io.dropwizard.views.common.ViewRenderer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Page} from its Mustache template, with the page's model as the innermost
 * scope so templates say {@code {{action}}}, not {@code {{model.action}}}.
 *
 * <p>Every {@code {{value}}} is escaped by {@link Html#esc} ({@code & < > " '}), the escaping
 * these pages have always had. Mustache.java's own escaper also turns {@code =}, a backquote
 * and line breaks into character references: harmless, but it would change the bytes of
 * every page (a review link's {@code ?token=} would read {@code ?token&#61;}), and it guards
 * only unquoted attributes, which the templates never use.
 */
final class PageRenderer implements ViewRenderer {

  private final MustacheFactory templates = new DefaultMustacheFactory(PageRenderer::template) {
    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(Html.esc(value));
      } catch (IOException e) {
        throw new MustacheException("Failed to write a value", e);
      }
    }
  };

  /** Templates and their partials are resources, by absolute name (see {@link View}). */
  private static Reader template(String name) {
    InputStream in = PageRenderer.class.getResourceAsStream(name);
    return in == null ? null : new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  @Override
  public boolean isRenderable(View view) {
    return view instanceof Page && view.getTemplateName().endsWith(".mustache");
  }

  @Override
  public void render(View view, Locale locale, OutputStream output) throws IOException {
    Page page = (Page) view;
    try {
      Mustache template = templates.compile(page.getTemplateName());
      Writer writer = new OutputStreamWriter(output, StandardCharsets.UTF_8);
      template.execute(writer, List.of(page, page.model()));
      writer.flush();
    } catch (MustacheException e) {
      // Mustache wraps a failed write as well (a client that went away): the cause says so.
      throw new ViewRenderException("Mustache template error: " + page.getTemplateName(), e);
    }
  }

  @Override
  public void configure(Map<String, String> options) {
    // Nothing to configure: templates are compiled once and cached by the factory.
  }

  @Override
  public String getConfigurationKey() {
    return "mustache";
  }
}
