package dev.interlock.server.temporal;

import dev.interlock.server.config.TemporalConfig;
import dev.interlock.server.config.TemporalConfig.Mode;
import com.uber.m3.tally.Scope;
import io.dropwizard.lifecycle.Managed;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Temporal client from configuration, in one of three modes: the in-process test
 * server (embedded), a managed {@code temporal server start-dev} (devserver), or a cluster
 * (external); {@code auto} picks devserver when a Temporal CLI is found, else embedded.
 */
public final class TemporalFactory {

  private static final Logger log = LoggerFactory.getLogger(TemporalFactory.class);

  private TemporalFactory() {}

  /**
   * A client plus what must be closed with it.
   *
   * @param mode the mode in use (never auto)
   * @param searchAttributes whether interrupt workflows carry Interlock's search attributes
   * @param devServer the managed dev server in devserver mode, else null
   * @param embedded the in-process service in embedded mode, else null
   */
  public record TemporalRuntime(WorkflowClient client, Managed lifecycle, Mode mode,
      boolean searchAttributes, DevServer devServer, EmbeddedTemporal embedded) {

    /** A client from elsewhere (tests): nothing to manage beyond the given lifecycle. */
    public TemporalRuntime(WorkflowClient client, Managed lifecycle) {
      this(client, lifecycle, Mode.EMBEDDED, false, null, null);
    }
  }

  /** The mode to run in, and the one line that tells an operator why. */
  public record Choice(Mode mode, Path cli, String reason) {}

  public static Choice choose(TemporalConfig config, Map<String, String> env) {
    Mode requested = config.requestedMode();
    switch (requested) {
      case EMBEDDED:
        return new Choice(Mode.EMBEDDED, null, "temporal.mode is embedded");
      case EXTERNAL:
        return new Choice(Mode.EXTERNAL, null, "temporal.mode is external");
      case DEVSERVER: {
        Path cli = DevServer.findCli(config.cliPath, env).orElseThrow(() ->
            new IllegalArgumentException("temporal.mode is devserver but no Temporal CLI was"
                + " found: install it (https://docs.temporal.io/cli) so that `temporal` is on"
                + " the PATH, or set TEMPORAL_CLI_PATH to the binary"));
        return new Choice(Mode.DEVSERVER, cli, "temporal.mode is devserver");
      }
      default: {
        var cli = DevServer.findCli(config.cliPath, env);
        if (cli.isPresent()) {
          return new Choice(Mode.DEVSERVER, cli.get(), "temporal.mode is auto and the Temporal"
              + " CLI was found at " + cli.get() + ": waits are durable and the Web UI runs");
        }
        return new Choice(Mode.EMBEDDED, null, "temporal.mode is auto and no Temporal CLI is on"
            + " the PATH: waits live in memory and are re-created from PostgreSQL at start;"
            + " install the Temporal CLI (or set TEMPORAL_CLI_PATH) for durable waits and the"
            + " Temporal Web UI");
      }
    }
  }

  /**
   * @param metrics the SDK's metrics scope (MetricsModule.temporalScope): set on the service
   *     stubs, so the client and every worker built on them report through it, in every mode
   */
  public static TemporalRuntime build(TemporalConfig config, Path dataDir, Scope metrics) {
    Choice choice = choose(config, System.getenv());
    log.info("Temporal: {} mode ({})", choice.mode().wire(), choice.reason());
    return switch (choice.mode()) {
      case EMBEDDED -> embedded(config, metrics);
      case DEVSERVER -> devServer(config, choice.cli(), dataDir, metrics);
      default -> external(config, metrics);
    };
  }

  private static TemporalRuntime embedded(TemporalConfig config, Scope metrics) {
    Integer port = config.port == null || config.port.isBlank()
        ? null : Integer.valueOf(config.port.trim());
    EmbeddedTemporal embedded = EmbeddedTemporal.start(port);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setChannel(embedded.channel())
            .setMetricsScope(metrics).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace).build());
    // No visibility in the test server: waits carry no search attributes there.
    return new TemporalRuntime(client, new Managed() {
      @Override
      public void stop() {
        stubs.shutdownNow();
        embedded.close();
      }
    }, Mode.EMBEDDED, false, null, embedded);
  }

  private static TemporalRuntime devServer(TemporalConfig config, Path cli, Path dataDir,
      Scope metrics) {
    int port = config.port == null || config.port.isBlank() ? 7233 : Integer.parseInt(config.port.trim());
    DevServer server = DevServer.start(new DevServer.Settings(cli,
        dataDir.resolve("temporal").toAbsolutePath(), port, config.uiPort, config.namespace,
        config.devServerStartTimeout.toJavaDuration(), config.devServerRestart));
    try {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder()
              .setTarget(server.target())
              .setRpcTimeout(Duration.ofSeconds(10))
              .setMetricsScope(metrics)
              .build());
      WorkflowClient client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(config.namespace).build());
      boolean attributes = config.registerSearchAttributes
          && SearchAttributeRegistration.ensure(stubs, config.namespace);
      return new TemporalRuntime(client, new Managed() {
        @Override
        public void stop() {
          stubs.shutdown();
          stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
          server.close();
        }
      }, Mode.DEVSERVER, attributes, server, null);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private static TemporalRuntime external(TemporalConfig config, Scope metrics) {
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
        .setTarget(config.target)
        .setRpcTimeout(Duration.ofSeconds(10))
        .setMetricsScope(metrics);
    if (config.tls.enabled) {
      options.setSslContext(sslContext(config.tls));
      if (!config.tls.serverName.isBlank()) {
        options.setChannelInitializer(b -> b.overrideAuthority(config.tls.serverName));
      }
    }
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(options.build());
    log.info("connecting to Temporal at {} (namespace {}, TLS {})", config.target,
        config.namespace, config.tls.enabled ? "on" : "off");
    WorkflowClient client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace).build());
    boolean attributes = config.registerSearchAttributes
        ? SearchAttributeRegistration.ensure(stubs, config.namespace)
        : SearchAttributeRegistration.present(stubs, config.namespace);
    return new TemporalRuntime(client, new Managed() {
      @Override
      public void stop() {
        stubs.shutdown();
      }
    }, Mode.EXTERNAL, attributes, null, null);
  }

  private static SslContext sslContext(TemporalConfig.Tls tls) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (!tls.caCertPath.isBlank()) {
        builder.trustManager(new File(tls.caCertPath));
      }
      if (!tls.clientCertPath.isBlank()) {
        builder.keyManager(new File(tls.clientCertPath), new File(tls.clientKeyPath));
      }
      return builder.build();
    } catch (Exception e) {
      throw new IllegalArgumentException("temporal.tls: could not load certificates: " + e.getMessage(), e);
    }
  }
}
