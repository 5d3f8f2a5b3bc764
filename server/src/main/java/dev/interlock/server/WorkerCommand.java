package dev.interlock.server;

import dev.interlock.server.config.TemporalConfig;
import dev.interlock.server.metrics.MetricsModule;
import dev.interlock.worker.WorkerMetrics;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.util.concurrent.CountDownLatch;
import net.sourceforge.argparse4j.inf.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar interlock.jar worker config.yml}: runs the interrupt workers alone, with
 * the same configuration file as the server. Needs an external PostgreSQL and Temporal
 * (the embedded ones live inside a server process).
 */
public final class WorkerCommand extends ConfiguredCommand<InterlockConfiguration> {

  private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

  private final InterlockApplication application;

  public WorkerCommand(InterlockApplication application) {
    super("worker", "Runs Interlock's workflow workers without the HTTP server");
    this.application = application;
  }

  @Override
  protected void run(Bootstrap<InterlockConfiguration> bootstrap, Namespace namespace,
      InterlockConfiguration config) throws Exception {
    if (config.temporal.requestedMode() != TemporalConfig.Mode.EXTERNAL
        || config.database.isEmbedded()) {
      throw new IllegalArgumentException("the worker command needs an external Temporal and"
          + " PostgreSQL: set temporal.mode to external and database.embedded to false"
          + " (TEMPORAL_MODE=external, DATABASE_EMBEDDED=false)");
    }
    // Not an EnvironmentCommand: that would run the whole server application first.
    Environment environment = new Environment(bootstrap.getApplication().getName(),
        bootstrap.getObjectMapper(), bootstrap.getValidatorFactory(), bootstrap.getMetricRegistry(),
        bootstrap.getClassLoader(), bootstrap.getHealthCheckRegistry(), config);
    var store = InterlockApplication.openStore(config, environment, new java.util.ArrayList<>());
    // The same meters as a server's, served on worker.metricsPort when it is set.
    PrometheusMeterRegistry prometheus = MetricsModule.registry(environment.metrics());
    // Closed below, after the Temporal client it reports for.
    var temporalMetrics = MetricsModule.temporalScope(prometheus);
    var temporal = application.temporal(config, temporalMetrics);
    var worker = InterlockApplication.buildWorker(config, temporal, store.jdbi(),
        environment.getObjectMapper(),
        InterlockApplication.dialects(environment.getObjectMapper()),
        new java.util.concurrent.atomic.LongAdder(),
        () -> InterlockApplication.baseUrl(config) + "/mcp", new WorkerMetrics(prometheus));
    HTTPServer metricsServer = null;
    if (config.worker.metricsPort > 0) {
      metricsServer = MetricsModule.serve(prometheus, config.worker.metricsPort);
      log.info("worker metrics at http://0.0.0.0:{}/metrics", metricsServer.getPort());
    }
    HTTPServer scrape = metricsServer;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping worker");
      worker.stop();
      try {
        environment.lifecycle().getManagedObjects().forEach(m -> {
          try {
            m.stop();
          } catch (Exception e) {
            log.warn("error while stopping {}", m, e);
          }
        });
        temporal.lifecycle().stop();
        temporalMetrics.close();
      } catch (Exception e) {
        log.warn("error while closing the Temporal client", e);
      }
      if (scrape != null) {
        scrape.stop();
      }
      stopped.countDown();
    }, "interlock-worker-shutdown"));
    worker.start();
    log.info("worker polling task queue {} on {} (namespace {})", config.temporal.taskQueue,
        config.temporal.target, config.temporal.namespace);
    stopped.await();
  }
}
