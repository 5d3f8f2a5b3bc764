package dev.interlock.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.InterlockConfiguration;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.auth.LoginTokens;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.service.ReviewService;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.service.engine.Engine;
import dev.interlock.server.metrics.InterlockMetrics;
import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.views.common.ViewBundle;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The people's side, wired in one place: the review page ({@code /review/{id}}), the
 * dashboard ({@code /} and {@code /ui/...}, its workspace pages, its loops, Loop's issues and
 * {@code /invite/...}),
 * their static files ({@code /ui/static/}) and live updates. Jersey stays at the root: the static files are a servlet on a longer path,
 * which the servlet container prefers, so no existing route moves.
 */
public final class WebModule {

  /** Static files: {@code src/main/resources/assets/web} served at {@code /ui/static/}. */
  public static final String ASSETS_PATH = "/ui/static";

  private WebModule() {}

  public static void bootstrap(Bootstrap<InterlockConfiguration> bootstrap) {
    bootstrap.addBundle(new AssetsBundle("/assets/web", ASSETS_PATH, "index.html", "web-assets"));
    // Pages are Views rendered from their Mustache templates (see Page and PageRenderer).
    bootstrap.addBundle(new ViewBundle<>(List.of(new PageRenderer())));
  }

  public static LiveUpdates install(InterlockConfiguration config, Environment environment,
      ReviewService reviews, Clock clock, LoginTokens tokens, ReviewLinks links,
      InterruptService interrupts, TransitionListener transitions, Executor readers,
      JsonBodies bodies, Workspaces workspaces, LoopService loops, Engine engine,
      InterlockMetrics metrics) {
    ObjectMapper json = environment.getObjectMapper();
    WebAccess access = new WebAccess(tokens, links, workspaces);
    ReviewPage states = new ReviewPage(json);
    LiveUpdates live = new LiveUpdates(reviews, json, states::state, readers, metrics);
    transitions.subscribe(live);
    LoopPages loopPages = new LoopPages(json);
    LoopPageStreams loopStreams = new LoopPageStreams(loops, reviews, loopPages, json);
    // Open event streams would hold Jetty's graceful stop for its whole timeout.
    environment.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(LifeCycle event) {
        live.close();
        loopStreams.close();
      }
    });

    DashboardFrame frame = new DashboardFrame(access, workspaces);
    var jersey = environment.jersey();
    jersey.register(new ReviewResource(reviews, interrupts, links, access, frame, live, json,
        config.review.requireLogin));
    jersey.register(new DashboardResource(reviews, interrupts, access, frame, live, bodies, json,
        clock, links.baseUrl().regionMatches(true, 0, "https:", 0, 6)));
    jersey.register(new WorkspacePagesResource(workspaces, access, frame, clock));
    jersey.register(new LoopPagesResource(loops, interrupts, reviews, access, frame, loopPages,
        loopStreams, json));
    jersey.register(new IssuePagesResource(engine, frame, new IssuePages(json)));
    jersey.register(new SessionOriginFilter(access));
    jersey.register(new FormFields.Reader(config.limits.maxBodyBytes));
    return live;
  }
}
