package dev.interlock.server.temporal;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's test server run in-process, in real time (time skipping locked), as the
 * embedded mode's workflow service. It keeps everything in memory: the recovery pass
 * re-creates the workflows of pending interrupts from PostgreSQL on every start.
 *
 * <p>By default it has no network port at all (an in-process gRPC channel). With a port it
 * binds loopback only; {@code TestServer.createPortBoundServer} would bind every interface.
 */
public final class EmbeddedTemporal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  private final TestServicesStarter services;
  private final Server inProcess;
  private final Server network;
  private final ManagedChannel channel;

  private EmbeddedTemporal(TestServicesStarter services, Server inProcess, Server network,
      ManagedChannel channel) {
    this.services = services;
    this.inProcess = inProcess;
    this.network = network;
    this.channel = channel;
  }

  /** @param port a loopback TCP port to serve on as well, or null for in-process only */
  public static EmbeddedTemporal start(Integer port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    String name = "interlock-temporal-" + UUID.randomUUID();
    try {
      InProcessServerBuilder inProcessBuilder = InProcessServerBuilder.forName(name);
      for (BindableService s : services.getServices()) {
        inProcessBuilder.addService(s);
      }
      Server inProcess = inProcessBuilder.build().start();
      Server network = null;
      if (port != null) {
        NettyServerBuilder nettyBuilder = NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        for (BindableService s : services.getServices()) {
          nettyBuilder.addService(s);
        }
        network = nettyBuilder.build().start();
        log.info("embedded Temporal also serves gRPC on {}:{} (loopback only)",
            InetAddress.getLoopbackAddress().getHostAddress(), port);
      }
      ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
      log.info("embedded Temporal started in-process (state in memory; recovery re-creates waits)");
      return new EmbeddedTemporal(services, inProcess, network, channel);
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException("could not start the embedded Temporal service", e);
    }
  }

  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    if (network != null) {
      network.shutdownNow();
    }
    inProcess.shutdownNow();
    try {
      inProcess.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
