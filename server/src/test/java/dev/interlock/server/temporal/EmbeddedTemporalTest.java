package dev.interlock.server.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddedTemporalTest {

  @Test
  void givenNoPort_thenServesInProcessOnly() {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(null)) {
      var stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setChannel(temporal.channel()).build());
      assertThat(stubs.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance()))
          .isNotNull();
      stubs.shutdownNow();
    }
  }

  @Test
  void givenPort_thenServesOnLoopbackAndNotOnOtherInterfaces() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(port)) {
      var stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
          .setTarget("127.0.0.1:" + port).build());
      assertThat(stubs.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance()))
          .isNotNull();
      stubs.shutdownNow();

      Optional<InetAddress> external = nonLoopbackAddress();
      assumeThat(external).as("a non-loopback IPv4 address on this machine").isPresent();
      boolean connected;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(external.get(), port), 1000);
        connected = true;
      } catch (IOException e) {
        connected = false;
      }
      assertThat(connected).as("reachable on " + external.get()).isFalse();
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
