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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's test server run in-process, in real time (time skipping locked), as the
 * embedded mode's workflow service. It keeps everything in memory, closed workflows
 * included, and never lets go of them: the recovery pass re-creates the workflows of
 * pending interrupts from PostgreSQL on every start, and {@link #recycle()} replaces the
 * whole service with a fresh one behind the same channel so that its memory stays bounded
 * in a long-running process ({@link EmbeddedRecycler} decides when).
 *
 * <p>By default it has no network port at all (an in-process gRPC channel). With a port it
 * binds loopback only; {@code TestServer.createPortBoundServer} would bind every interface.
 */
public final class EmbeddedTemporal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  /** One generation of the service: the test server and how it is reached. */
  private record Service(TestServicesStarter services, Server inProcess, Server network,
      ManagedChannel channel, ExecutorService calls) {

    static Service start(Integer port, int generation) {
      TestServicesStarter services = new TestServicesStarter(true, 0);
      String name = "interlock-temporal-" + UUID.randomUUID();
      // The test server answers a long poll by blocking a call thread for up to a minute,
      // and does not wake it when it is closed. On gRPC's shared executor such a thread
      // kept a replaced service (and every workflow in it) alive until the poll timed out;
      // with its own executor, close() interrupts them and the old service is freed at once.
      AtomicInteger threads = new AtomicInteger();
      ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "embedded-temporal-" + generation + "-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      try {
        InProcessServerBuilder inProcessBuilder = InProcessServerBuilder.forName(name).executor(calls);
        for (BindableService s : services.getServices()) {
          inProcessBuilder.addService(s);
        }
        Server inProcess = inProcessBuilder.build().start();
        Server network = null;
        if (port != null) {
          NettyServerBuilder nettyBuilder = NettyServerBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).executor(calls);
          for (BindableService s : services.getServices()) {
            nettyBuilder.addService(s);
          }
          network = nettyBuilder.build().start();
        }
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        return new Service(services, inProcess, network, channel, calls);
      } catch (IOException e) {
        calls.shutdownNow();
        services.close();
        throw new UncheckedIOException("could not start the embedded Temporal service", e);
      }
    }

    void close() {
      channel.shutdownNow();
      if (network != null) {
        network.shutdownNow();
        try {
          network.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      inProcess.shutdownNow();
      calls.shutdownNow(); // wakes the polls the test server would hold for up to a minute
      try {
        inProcess.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      services.close();
    }
  }

  private final Integer port;
  private final SwitchableChannel channel;
  private volatile Service service;
  private volatile int generation = 1;

  private EmbeddedTemporal(Integer port, Service service) {
    this.port = port;
    this.service = service;
    this.channel = new SwitchableChannel(service.channel());
  }

  /** @param port a loopback TCP port to serve on as well, or null for in-process only */
  public static EmbeddedTemporal start(Integer port) {
    EmbeddedTemporal embedded = new EmbeddedTemporal(port, Service.start(port, 1));
    if (port != null) {
      log.info("embedded Temporal also serves gRPC on {}:{} (loopback only)",
          InetAddress.getLoopbackAddress().getHostAddress(), port);
    }
    log.info("embedded Temporal started in-process (state in memory; recovery re-creates waits)");
    return embedded;
  }

  /** The channel clients use; it follows {@link #recycle()}. */
  public ManagedChannel channel() {
    return channel;
  }

  /** How many services this process has run (1 until the first recycle). */
  public int generation() {
    return generation;
  }

  /**
   * Replaces the service by a fresh, empty one: every workflow of the old one, running or
   * closed, is gone with it. The caller must make sure nothing is in flight (no start or
   * update awaiting an answer) and must re-create the waits that were running (the recovery
   * pass). With a network port, the port is closed and bound again by the new service.
   */
  public synchronized void recycle() {
    Service old = service;
    if (old.network() != null) {
      old.network().shutdownNow(); // frees the port for the next generation
      try {
        old.network().awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Service next = Service.start(port, generation + 1);
    service = next;
    channel.switchTo(next.channel());
    old.close();
    generation++;
  }

  @Override
  public synchronized void close() {
    service.close();
  }
}
