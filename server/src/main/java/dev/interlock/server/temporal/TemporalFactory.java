package dev.interlock.server.temporal;

import dev.interlock.server.config.TemporalConfig;
import io.dropwizard.lifecycle.Managed;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Temporal client from configuration: the embedded service or a cluster. */
public final class TemporalFactory {

  private static final Logger log = LoggerFactory.getLogger(TemporalFactory.class);

  private TemporalFactory() {}

  /** A client plus what must be closed with it. */
  public record TemporalRuntime(WorkflowClient client, Managed lifecycle) {}

  public static TemporalRuntime build(TemporalConfig config) {
    if (config.embedded) {
      Integer port = config.port == null || config.port.isBlank()
          ? null : Integer.valueOf(config.port.trim());
      EmbeddedTemporal embedded = EmbeddedTemporal.start(port);
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setChannel(embedded.channel()).build());
      WorkflowClient client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(config.namespace).build());
      return new TemporalRuntime(client, new Managed() {
        @Override
        public void stop() {
          stubs.shutdownNow();
          embedded.close();
        }
      });
    }
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
        .setTarget(config.target)
        .setRpcTimeout(Duration.ofSeconds(10));
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
    return new TemporalRuntime(client, new Managed() {
      @Override
      public void stop() {
        stubs.shutdown();
      }
    });
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
