package dev.interlock.server.metrics;

import com.codahale.metrics.MetricRegistry;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.dropwizard.core.setup.Environment;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Prometheus registry for everything an operator scrapes: Interlock's own meters
 * ({@link InterlockMetrics}), the Temporal SDK's (through its tally scope, reported into
 * Micrometer) and Dropwizard's MetricRegistry (JVM, Jetty, requests, the connection pool),
 * bridged by the Prometheus client's own {@code DropwizardExports}. The server serves it at
 * {@code /metrics/prometheus} on the admin port; a standalone worker on its own port
 * ({@code worker.metricsPort}).
 */
public final class MetricsModule {

  /** Where the admin port serves the scrape. */
  public static final String PATH = "/metrics/prometheus";

  private static final Logger log = LoggerFactory.getLogger(MetricsModule.class);

  /** How often the Temporal SDK's tally scope reports into Micrometer. */
  static final Duration TEMPORAL_REPORT_EVERY = Duration.ofSeconds(1);

  /** Buckets for the SDK's latencies (workflow tasks, schedule-to-start, requests), in ms. */
  private static final long[] TEMPORAL_BUCKETS_MS =
      {1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000};

  private static final java.util.Set<String> FAILED_ONCE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private MetricsModule() {}

  /**
   * The registry, with Dropwizard's metrics bridged in and the Temporal SDK's timers given
   * histogram buckets (so that dashboards can take percentiles across instances).
   */
  public static PrometheusMeterRegistry registry(MetricRegistry dropwizard) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        // Prometheus needs one label set per name; the SDK adds update_name to some
        // request meters only (UpdateWorkflowExecution), which would leave them out.
        .meterFilter(MeterFilter.ignoreTags("update_name"))
        .meterFilter(temporalHistograms())
        .onMeterRegistrationFailed((id, reason) -> {
          if (FAILED_ONCE.add(id.getName())) {
            log.warn("metric {} is not exported: {}", id.getName(), reason);
          }
        });
    DropwizardExports.builder()
        .dropwizardRegistry(dropwizard)
        // A gauge that throws (a pool not started yet) is left out of one scrape, not the
        // whole scrape failed.
        .invalidMetricHandler((name, e) -> {
          log.debug("metric {} left out of the scrape: {}", name, e.toString());
          return true;
        })
        .register(registry.getPrometheusRegistry());
    return registry;
  }

  /** Serves the scrape on the admin port (no authentication, as Dropwizard's /metrics). */
  public static void install(Environment environment, PrometheusMeterRegistry registry) {
    environment.admin().addServlet("prometheus", new ScrapeServlet(registry)).addMapping(PATH);
  }

  /**
   * Serves the scrape at {@code /metrics} on its own port (the standalone worker, which has
   * no Jetty); stop the returned server on shutdown.
   */
  public static HTTPServer serve(PrometheusMeterRegistry registry, int port) throws IOException {
    return HTTPServer.builder().port(port).registry(registry.getPrometheusRegistry())
        .buildAndStart();
  }

  /**
   * The Temporal SDK's metrics scope: set on the service stubs, it reaches the client and
   * every worker built on them. Close it after the stubs (it flushes a last report).
   */
  public static Scope temporalScope(MeterRegistry registry) {
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(TEMPORAL_REPORT_EVERY.toMillis()));
  }

  private static MeterFilter temporalHistograms() {
    double[] buckets = new double[TEMPORAL_BUCKETS_MS.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = TimeUnit.MILLISECONDS.toNanos(TEMPORAL_BUCKETS_MS[i]);
    }
    DistributionStatisticConfig histogram = DistributionStatisticConfig.builder()
        .serviceLevelObjectives(buckets).build();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() == Meter.Type.TIMER && id.getName().startsWith("temporal_")) {
          return histogram.merge(config);
        }
        return config;
      }
    };
  }

  /** The text exposition format; OpenMetrics to a scraper that asks for it. */
  static final class ScrapeServlet extends HttpServlet {
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPEN_METRICS =
        "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final transient PrometheusMeterRegistry registry;

    ScrapeServlet(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String accept = request.getHeader("Accept");
      String type = accept != null && accept.contains("application/openmetrics-text")
          ? OPEN_METRICS : TEXT;
      response.setStatus(200);
      response.setContentType(type);
      response.setHeader("Cache-Control", "no-store");
      try (OutputStream out = response.getOutputStream()) {
        registry.scrape(out, type);
      }
    }
  }
}
