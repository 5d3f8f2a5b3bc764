package dev.interlock.server;

import com.codahale.metrics.health.HealthCheck;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.http.NulCharacterFilter;
import dev.interlock.server.apidocs.ApiDocsModule;
import dev.interlock.server.auth.IdentityModule;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.dialect.DialectContext;
import dev.interlock.server.dialect.Dialects;
import dev.interlock.server.dialect.agentgate.AgentGateDialect;
import dev.interlock.server.dialect.loop.LoopDialect;
import dev.interlock.server.dialect.loopat.LoopatDialect;
import dev.interlock.server.dialect.loopgate.LoopgateDialect;
import dev.interlock.server.dialect.loopin.LoopinDialect;
import dev.interlock.server.errors.DialectErrors;
import dev.interlock.server.mcp.McpTool;
import dev.interlock.worker.Renderings;
import dev.interlock.server.service.HealthService;
import dev.interlock.server.service.WebhookService;
import dev.interlock.server.errors.ErrorMappers;
import dev.interlock.server.errors.JsonErrorHandler;
import dev.interlock.server.http.ClientDisconnects;
import dev.interlock.server.http.LongPoll;
import dev.interlock.server.http.RequestIds;
import dev.interlock.server.http.UnreadBodyFilter;
import dev.interlock.server.mcp.McpModule;
import dev.interlock.server.mcp.McpStdioCommand;
import dev.interlock.server.shared.CallbackSecretResource;
import dev.interlock.server.shared.WorkspaceResource;
import dev.interlock.server.shared.HealthResource;
import dev.interlock.server.service.PolicyService;
import dev.interlock.server.service.HealthService;
import dev.interlock.server.service.WebhookService;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.EmbeddedRecycler;
import dev.interlock.server.service.ExpirySweeper;
import dev.interlock.server.service.RecoveryPass;
import dev.interlock.server.service.LoopEventListener;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.service.engine.Engine;
import dev.interlock.worker.engine.LeaseActivitiesImpl;
import dev.interlock.server.temporal.LeaseGateway;
import dev.interlock.server.temporal.LoopGateway;
import dev.interlock.server.config.LoopsConfig;
import dev.interlock.worker.loop.LoopActivitiesImpl;
import dev.interlock.worker.loop.LoopSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import dev.interlock.server.service.RecoveryTask;
import dev.interlock.server.service.ReviewService;
import dev.interlock.server.service.SessionService;
import dev.interlock.server.service.TransitionListener;
import dev.interlock.server.service.WorkflowStarter;
import dev.interlock.server.temporal.DeliveryGateway;
import dev.interlock.server.temporal.InterruptGateway;
import dev.interlock.server.temporal.TemporalFactory;
import dev.interlock.server.temporal.TemporalFactory.TemporalRuntime;
import dev.interlock.server.web.WebModule;
import dev.interlock.server.metrics.InterlockMetrics;
import dev.interlock.server.metrics.MetricsModule;
import dev.interlock.worker.WorkerMetrics;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.interlock.store.EmbeddedDatabase;
import dev.interlock.store.StoreSupport;
import dev.interlock.worker.CallbackSecrets;
import dev.interlock.worker.CallbackTargetGuard;
import dev.interlock.worker.InterlockWorker;
import dev.interlock.worker.ExpirySweep;
import dev.interlock.worker.InterruptActivitiesImpl;
import dev.interlock.worker.OutboundPost;
import dev.interlock.worker.webhook.Deliveries;
import dev.interlock.worker.webhook.WebhookEvents;
import dev.interlock.worker.webhook.WebhookActivitiesImpl;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root. Everything is wired here by constructor, in dependency order;
 * Dropwizard starts managed objects in registration order and stops them in reverse, so
 * the embedded PostgreSQL, registered first, is the last thing to stop.
 */
public class InterlockApplication extends Application<InterlockConfiguration> {

  private static final Logger log = LoggerFactory.getLogger(InterlockApplication.class);

  /** The core once wired; set by {@link #run}. */
  private volatile InterruptService interrupts;
  private volatile LoopService loops;
  private volatile Engine engine;

  public static void main(String[] args) throws Exception {
    new InterlockApplication().run(args);
  }

  @Override
  public String getName() {
    return "interlock";
  }

  @Override
  public void initialize(Bootstrap<InterlockConfiguration> bootstrap) {
    // ${VAR:-default} in config.yml reads environment variables.
    bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
        bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false, true)));
    bootstrap.addCommand(new WorkerCommand(this));
    WebModule.bootstrap(bootstrap);
    ApiDocsModule.bootstrap(bootstrap);
    bootstrap.addCommand(new McpStdioCommand());
    // The JVM's metrics (memory, threads, GC) in the MetricRegistry that /metrics/prometheus
    // bridges. Dropwizard registers them itself after initialize; doing it here (it happens
    // once) also covers applications started without that step (DropwizardTestSupport).
    bootstrap.registerMetrics();
  }

  /**
   * The Temporal client; tests may override this to hand in a TestWorkflowEnvironment's.
   * {@code metrics} is the SDK's metrics scope (MetricsModule.temporalScope).
   */
  protected TemporalRuntime temporal(InterlockConfiguration config, Scope metrics) {
    return TemporalFactory.build(config.temporal, Path.of(config.dataDir), metrics);
  }

  /**
   * The Temporal SDK's metrics scope on {@code registry}, closed (a last report flushed) when
   * {@code lifecycle} stops, after the Temporal client registered later has stopped.
   */
  static Scope temporalMetrics(MeterRegistry registry, List<Managed> startedEarly,
      io.dropwizard.lifecycle.setup.LifecycleEnvironment lifecycle) {
    Scope scope = MetricsModule.temporalScope(registry);
    Managed closer = new Managed() {
      @Override
      public void stop() throws Exception {
        scope.close();
      }
    };
    startedEarly.add(closer);
    lifecycle.manage(closer);
    return scope;
  }

  /** What the server and a standalone worker share: the store, migrated. */
  record Store(Jdbi jdbi, DataSource dataSource, Supplier<Connection> dedicatedConnections) {}

  /** @param startedEarly receives what was started here and must be stopped if start fails */
  static Store openStore(InterlockConfiguration config, Environment environment,
      List<Managed> startedEarly) {
    if (config.database.isEmbedded()) {
      EmbeddedDatabase pg = EmbeddedDatabase.start(Path.of(config.dataDir, "postgres"));
      config.database.setUrl(pg.jdbcUrl());
      config.database.setUser("postgres");
      config.database.setPassword("");
      Managed stopper = new Managed() {
        @Override
        public void stop() {
          pg.close();
        }
      };
      startedEarly.add(stopper);
      environment.lifecycle().manage(stopper);
    }
    ManagedDataSource dataSource = config.database.build(environment.metrics(), "postgresql");
    startedEarly.add(dataSource);
    environment.lifecycle().manage(dataSource);
    StoreSupport.migrate(dataSource, null);
    Jdbi jdbi = StoreSupport.configure(Jdbi.create(dataSource), environment.getObjectMapper());
    environment.healthChecks().register("postgresql", new HealthCheck() {
      @Override
      protected Result check() {
        jdbi.useHandle(h -> h.createQuery("select 1").mapTo(int.class).one());
        return Result.healthy();
      }
    });
    String url = config.database.getUrl();
    String user = config.database.getUser();
    String password = config.database.getPassword();
    Supplier<Connection> dedicated = () -> {
      try {
        return DriverManager.getConnection(url, user, password);
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    };
    return new Store(jdbi, dataSource, dedicated);
  }

  static InterlockWorker buildWorker(InterlockConfiguration config, TemporalRuntime temporal,
      Jdbi jdbi, ObjectMapper json, Renderings renderings, LongAdder deliveryStarts,
      Supplier<String> mcpUrl, WorkerMetrics metrics) {
    var guard = new CallbackTargetGuard(config.callbacks.allowPrivateNetworks);
    var outbound = OutboundPost.start();
    var timeout = config.callbacks.timeout.toJavaDuration();
    var activities = new InterruptActivitiesImpl(jdbi, json, outbound, guard, Clock.systemUTC(),
        timeout, renderings, new DeliveryGateway(temporal.client(), config.temporal.taskQueue, deliveryStarts),
        metrics);
    var webhooks = new WebhookActivitiesImpl(jdbi, json, outbound, guard, Clock.systemUTC(),
        timeout, metrics);
    // A turn's choice is withdrawn (its interrupt cancelled) when the turn ends.
    var withdrawal = new LoopGateway(temporal.client(), config.temporal.taskQueue,
        new InterruptGateway(temporal.client(), config.temporal.taskQueue,
            config.temporal.updateTimeout.toJavaDuration(), temporal.searchAttributes()));
    var loops = new LoopActivitiesImpl(jdbi, json, Clock.systemUTC(),
        loopSettings(config, mcpUrl), withdrawal, metrics);
    // Loop's dispatch leases that run out return their issue to the queue.
    var leases = new LeaseActivitiesImpl(jdbi, metrics);
    return InterlockWorker.create(temporal.client(), config.temporal.taskQueue, activities,
        webhooks, loops, leases, outbound, config.worker.maxConcurrentActivities);
  }

  /** How turns run their agent, from {@code loops:} in the configuration. */
  static LoopSettings loopSettings(InterlockConfiguration config, Supplier<String> mcpUrl) {
    LoopsConfig loops = config.loops;
    Path loopsDir = Path.of(loops.loopsDir != null && !loops.loopsDir.isBlank() ? loops.loopsDir
        : config.dataDir + "/loops").toAbsolutePath().normalize();
    Map<String, Path> repos = new java.util.LinkedHashMap<>();
    loops.repos.forEach((name, folder) -> repos.put(name, Path.of(folder).toAbsolutePath()));
    Supplier<String> url = loops.mcpUrl != null && !loops.mcpUrl.isBlank()
        ? () -> loops.mcpUrl.trim() : mcpUrl;
    return new LoopSettings(agentCommand(loops.agentCommand), loopsDir, repos,
        url, loops.partialMessages, java.time.Duration.ofDays(30));
  }

  /**
   * The agent command's words; a relative path as the program ({@code bin/agent}, not a bare
   * name that PATH finds) is made absolute here, because the agent starts in its loop's folder.
   */
  static List<String> agentCommand(String configured) {
    List<String> words = new ArrayList<>(List.of(configured.trim().split("\\s+")));
    String program = words.get(0);
    if (program.contains("/") && !Path.of(program).isAbsolute()) {
      words.set(0, Path.of(program).toAbsolutePath().normalize().toString());
    }
    return List.copyOf(words);
  }

  @Override
  public void run(InterlockConfiguration config, Environment environment) {
    // The embedded PostgreSQL and Temporal start here, before Dropwizard's lifecycle runs;
    // if wiring fails after them, nothing would ever stop them, so stop them now.
    List<Managed> startedEarly = new ArrayList<>();
    try {
      wire(config, environment, startedEarly);
    } catch (RuntimeException | Error e) {
      for (int i = startedEarly.size() - 1; i >= 0; i--) {
        try {
          startedEarly.get(i).stop();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private void wire(InterlockConfiguration config, Environment environment,
      List<Managed> startedEarly) {
    Clock clock = Clock.systemUTC();
    ObjectMapper json = environment.getObjectMapper();
    Dialects dialects = dialects(json);
    if (config.getServerFactory() instanceof AbstractServerFactory server) {
      // Our mappers render every error in the dialect's shape; Dropwizard's would not.
      server.setRegisterDefaultExceptionMappers(false);
    }

    // Metrics first: the Temporal client reports into them from its start. Prometheus text
    // at the admin port's /metrics/prometheus (docs/operations.md, Metrics).
    PrometheusMeterRegistry prometheus = MetricsModule.registry(environment.metrics());
    MetricsModule.install(environment, prometheus);
    InterlockMetrics metrics = new InterlockMetrics(prometheus, clock);

    Store store = openStore(config, environment, startedEarly);
    Jdbi jdbi = store.jdbi();

    Scope temporalMetrics = temporalMetrics(prometheus, startedEarly, environment.lifecycle());
    TemporalRuntime temporal = temporal(config, temporalMetrics);
    startedEarly.add(temporal.lifecycle());
    environment.lifecycle().manage(temporal.lifecycle());
    LongAdder deliveryStarts = new LongAdder();
    // Where a turn's agent reaches this server's /mcp: the port it really listens on.
    AtomicReference<String> listening = new AtomicReference<>();
    environment.lifecycle().addServerLifecycleListener(server -> {
      for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
        if (c instanceof org.eclipse.jetty.server.ServerConnector sc
            && !"admin".equals(sc.getName())) {
          listening.compareAndSet(null, "http://127.0.0.1:" + sc.getLocalPort() + "/mcp");
        }
      }
    });
    Supplier<String> localMcp = () -> {
      String url = listening.get();
      return url != null ? url : baseUrl(config) + "/mcp";
    };
    if (config.worker.enabled) {
      InterlockWorker worker = buildWorker(config, temporal, jdbi, json, dialects,
          deliveryStarts, localMcp, metrics.worker());
      environment.lifecycle().manage(new Managed() {
        @Override
        public void start() {
          worker.start();
        }

        @Override
        public void stop() {
          worker.stop();
        }
      });
    } else {
      log.info("worker.enabled is false: interrupt workflows run on separate worker processes");
    }

    // First, so that every response, early refusals and /mcp included, carries the id.
    var requestIds = environment.servlets().addFilter("request-ids", new RequestIds());
    requestIds.setAsyncSupported(true);
    requestIds.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    environment.jersey().register(new UnreadBodyFilter());

    // Users, login tokens, API keys, authentication, scopes and rate limits.
    IdentityModule.Identity identity =
        IdentityModule.install(config, environment, jdbi, store.dataSource(), clock,
            baseUrl(config), metrics);
    ReviewLinks links = new ReviewLinks(ReviewLinks.secret(config.review.secret, jdbi),
        baseUrl(config), config.review.linkGrace.toJavaDuration(), clock);

    InterruptGateway gateway = new InterruptGateway(temporal.client(), config.temporal.taskQueue,
        config.temporal.updateTimeout.toJavaDuration(), temporal.searchAttributes());
    WorkflowStarter starter = new WorkflowStarter(gateway);
    TransitionListener transitions = new TransitionListener(store.dedicatedConnections());
    environment.lifecycle().manage(transitions);
    Deliveries deliveries = new DeliveryGateway(temporal.client(), config.temporal.taskQueue,
        deliveryStarts);
    RecoveryPass recovery = new RecoveryPass(jdbi, starter, deliveries);
    environment.lifecycle().manage(recovery);
    WebhookEvents webhookEvents = new WebhookEvents(dialects, clock);
    environment.lifecycle().manage(new ExpirySweeper(
        new ExpirySweep(jdbi, webhookEvents, deliveries, metrics.worker()),
        config.expiry.sweepInterval.toJavaDuration(), config.expiry.sweepBatch));
    EmbeddedRecycler recycler = null;
    if (temporal.embedded() != null) {
      recycler = new EmbeddedRecycler(temporal.embedded(), gateway, deliveryStarts, jdbi, recovery,
          config.temporal.embeddedRecycleAfter, config.temporal.embeddedRecycleCheck.toJavaDuration());
      environment.lifecycle().manage(recycler);
    }
    environment.admin().addTask(new RecoveryTask(recovery));
    if (temporal.devServer() != null) {
      temporal.devServer().onRestart(() -> recovery.rerun("the Temporal dev server was restarted"));
    }
    ExecutorService readers = environment.lifecycle().executorService("interlock-readers-%d")
        .minThreads(8).maxThreads(8).build();

    CallbackTargetGuard guard = new CallbackTargetGuard(config.callbacks.allowPrivateNetworks);
    InterruptService interrupts = new InterruptService(jdbi, gateway, starter, transitions, guard,
        json, clock, readers, deliveries, webhookEvents, metrics);
    this.interrupts = interrupts;
    metrics.pendingFrom(interrupts::pendingCount);

    DialectErrors errors = new DialectErrors(dialects.errorShapes());
    for (Object mapper : ErrorMappers.all(errors)) {
      environment.jersey().register(mapper);
    }
    // NUL in a path or query parameter: a 400, not a failed SQL statement.
    environment.jersey().register(new NulCharacterFilter());
    // Errors Jetty answers itself (refused URIs, servlets' sendError) in the same shapes.
    JsonErrorHandler jettyErrors = new JsonErrorHandler(errors, json);
    environment.getApplicationContext().setErrorHandler(jettyErrors);
    environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(jettyErrors));

    // Held requests (long-polls, blocking tool calls) end when their clients hang up.
    ClientDisconnects disconnects = new ClientDisconnects();
    environment.lifecycle().manage(disconnects);
    LongPoll longPoll = new LongPoll(interrupts, disconnects, readers, metrics);

    JsonBodies bodies = new JsonBodies(json, config.limits.maxBodyBytes);
    SessionService sessions = new SessionService(jdbi);
    PolicyService policies = new PolicyService(jdbi, json);
    // Test sends (POST /api/webhooks/{id}/test) go through the deliveries' pinned client.
    OutboundPost testSends = OutboundPost.start();
    environment.lifecycle().manage(new Managed() {
      @Override
      public void stop() {
        testSends.close();
      }
    });
    WebhookService webhooks = new WebhookService(jdbi, guard, deliveries, testSends,
        config.callbacks.timeout.toJavaDuration(), json, clock);
    // Every dialect: its resources here, its MCP tools for /mcp below.
    LoopEventListener loopEvents = new LoopEventListener(store.dedicatedConnections());
    environment.lifecycle().manage(loopEvents);
    LoopGateway loopGateway = new LoopGateway(temporal.client(), config.temporal.taskQueue,
        gateway);
    LoopService loops = new LoopService(jdbi, interrupts, loopGateway, loopEvents, json, clock,
        config.loops.repos.keySet(),
        config.loops.choiceTimeout == null ? null : config.loops.choiceTimeout.toJavaDuration(),
        config.loops.idempotencyWindow.toJavaDuration(), metrics);
    if (temporal.embedded() != null) {
      // The embedded Temporal starts empty: running turns lost their agent, queued ones
      // are queued again (a dev server or cluster keeps the loops' workflows).
      environment.lifecycle().manage(new Managed() {
        @Override
        public void start() {
          loops.recoverEmbedded();
        }
      });
    }
    this.loops = loops;
    Engine engine = new Engine(jdbi, json, clock, config.engine, new Engine.Dispatching(
        new LeaseGateway(temporal.client(), config.temporal.taskQueue, gateway), interrupts,
        transitions, metrics));
    this.engine = engine;
    // Leases without a workflow (an embedded Temporal starts empty) get one; approvals
    // decided while the server was down are applied.
    environment.lifecycle().manage(new Managed() {
      @Override
      public void start() {
        engine.dispatch().recover();
      }
    });
    if (recycler != null) {
      recycler.afterRecycle(() -> engine.dispatch().recoverLeases());
    }
    List<McpTool> dialectTools = dialects.install(new DialectContext(environment.jersey(), json,
        clock, config.limits, baseUrl(config), identity, links, interrupts, longPoll, sessions,
        policies, webhooks, bodies, loops, config.loops.pingInterval.toJavaDuration(),
        environment.lifecycle(), config.mcp, engine));
    environment.jersey().register(new HealthResource(new HealthService(jdbi, gateway, transitions,
        recovery, healthDetails(temporal, recycler)), clock));
    environment.jersey().register(new CallbackSecretResource(new CallbackSecrets(jdbi)));
    environment.jersey().register(new WorkspaceResource(identity.workspaces(), bodies));

    // The review page and the dashboard.
    WebModule.install(config, environment, new ReviewService(jdbi, clock), clock,
        identity.tokens(), links, interrupts, transitions, readers, bodies,
        identity.workspaces(), loops, engine, metrics);

    // The API documents (/openapi/...) and their interactive rendering (/docs/api/).
    ApiDocsModule.install(environment);

    // MCP at /mcp: the same services and views as the resources above, as tools.
    McpModule.install(config.mcp, baseUrl(config), config.limits.maxBodyBytes, environment,
        identity, new McpModule.Services(interrupts, links, dialectTools, clock,
            config.limits.maxExpiresInSeconds, disconnects, loops, metrics));
  }

  /**
   * The core service this application runs on, for tests that drive the core as callers no
   * dialect can make yet (say, an interrupt that needs several approvals).
   */
  InterruptService interrupts() {
    return interrupts;
  }

  /** Loop's engine, for tests that drive what no route offers (asking for approval). */
  Engine engine() {
    return engine;
  }

  /** The loops' service, for tests. */
  LoopService loops() {
    return loops;
  }

  /** The dialects this server speaks, one line each; their order is the MCP tools' order. */
  static Dialects dialects(ObjectMapper json) {
    return new Dialects(List.of(
        new LoopgateDialect(),
        new LoopinDialect(),
        new AgentGateDialect(json),
        new LoopatDialect(),
        new LoopDialect()), json);
  }

  /** What /health says about Temporal besides reachability. */
  static Supplier<Map<String, Object>> healthDetails(TemporalRuntime temporal,
      EmbeddedRecycler recycler) {
    return () -> {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("temporalMode", temporal.mode().wire());
      details.put("searchAttributes", temporal.searchAttributes());
      if (recycler != null) {
        details.put("embeddedClosedWorkflows", recycler.closedWorkflows());
        details.put("embeddedRecycles", recycler.recycles());
      }
      return details;
    };
  }

  /** The configured public base URL, or http://localhost:PORT of the first connector. */
  static String baseUrl(InterlockConfiguration config) {
    if (config.baseUrl != null && !config.baseUrl.isBlank()) {
      return config.baseUrl.trim();
    }
    int port = 8080;
    if (config.getServerFactory() instanceof DefaultServerFactory server
        && !server.getApplicationConnectors().isEmpty()
        && server.getApplicationConnectors().get(0) instanceof HttpConnectorFactory http) {
      port = http.getPort();
    }
    return "http://localhost:" + port;
  }
}
